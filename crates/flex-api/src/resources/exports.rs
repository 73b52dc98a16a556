//! Exports (reference §3.17, §4.18): asynchronous data exports.

use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, model};
use crate::{Error, Request, path_segment};

model! {
    /// An export job.
    pub struct Export {
        id: export_id,
        /// Description.
        description: String,
        /// e.g. `product`.
        #[serde(rename = "type")]
        kind: String,
        /// `created`, …
        status: String,
        /// When created.
        created_at: Timestamp,
        /// When started.
        started_at: Timestamp,
        /// When completed.
        completed_at: Timestamp,
        /// Metadata.
        metadata: Metadata,
        /// Filters.
        filters: serde_json::Value,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Body of `POST /v1/exports` (sent as `{"export":{…}}`).
    pub struct CreateExport {
        /// Description.
        description: Option<String>,
        /// e.g. `{"payment":{"limit":10}}`.
        filters: Option<serde_json::Value>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// What to export, e.g. `product`.
        #[serde(rename = "type")]
        kind: Option<String>,
    }
}

handle!(
    /// `client.exports()`.
    Exports, exports
);

impl Exports<'_> {
    /// `POST /v1/exports`.
    pub async fn create(&self, body: &CreateExport) -> Result<Export, Error> {
        let req = Request::post("/v1/exports").json(json!({ "export": body }));
        self.client.fetch_one(self.write(req), "export").await
    }

    /// `GET /v1/exports/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Export, Error> {
        let req = Request::get(format!("/v1/exports/{}", path_segment(id)));
        self.client.fetch_one(req, "export").await
    }

    /// `POST /v1/exports/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> Result<Export, Error> {
        let req = Request::post(format!("/v1/exports/{}/cancel", path_segment(id)));
        self.client.fetch_one(self.write(req), "export").await
    }
}
