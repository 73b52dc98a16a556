//! (being written)

use super::prelude::*;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
}

pub(crate) async fn create_dispute_hook() -> ApiResult<Response> {
    Err(ApiError::state("todo", "todo"))
}
