//! (being written)

use super::prelude::*;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
}
