//! The whole simulator as one router: `/v1` (the routes, behind the edge, auth and idempotency
//! layers), `/__sim` (the control API and test hooks), the authorization server and the hosted
//! MCP. Composed here, above the modules it joins, so none of them imports another's router.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;

use crate::edge::{self, MAX_BODY};
use crate::routes;
use crate::state::Sim;

/// Every `/v1` route plus the `/__sim` control routes, with the edge/auth/idempotency layers on
/// `/v1`; the authorization server; and the hosted MCP endpoints, whose tools call `/v1` in
/// process (behind the key check for `/api/mcp`, with the signed-in user's context for
/// `/api/mcp/oauth`).
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    let v1 = routes::v1_routes()
        .layer(from_fn_with_state(sim.clone(), edge::idempotency))
        .layer(from_fn_with_state(sim.clone(), edge::auth))
        .layer(from_fn_with_state(sim.clone(), edge::edge));
    let keyed = routes::v1_routes()
        .layer(from_fn_with_state(sim.clone(), edge::idempotency))
        .layer(from_fn_with_state(sim.clone(), edge::auth))
        .with_state(sim.clone());
    let direct = routes::v1_routes()
        .layer(from_fn_with_state(sim.clone(), edge::idempotency))
        .with_state(sim.clone());
    let hosted =
        crate::hosted_mcp::routes(crate::hosted_mcp::Hosted::new(sim.clone(), keyed, direct));
    Router::new()
        .nest("/__sim", crate::control::routes())
        .merge(crate::oauth::routes())
        .merge(v1)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(sim)
        .merge(hosted)
}
