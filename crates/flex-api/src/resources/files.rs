//! Files (reference §3.18, §4.18): uploads (multipart) such as dispute evidence.

use bytes::Bytes;
use futures::stream::BoxStream;

use crate::models::{Timestamp, handle, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Multipart, Request, path_segment};

model! {
    /// An uploaded file.
    pub struct File {
        id: file_id,
        /// e.g. `dispute_evidence`.
        purpose: String,
        /// Name.
        filename: String,
        /// Bytes.
        size: u64,
        /// e.g. `pdf`.
        #[serde(rename = "type")]
        kind: String,
        /// When created.
        created_at: Timestamp,
        /// When it expires.
        expires_at: Timestamp,
        /// Test or live.
        test_mode: bool,
    }
}

/// A file to upload: JPEG, PNG or PDF up to 5 MB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFile {
    /// e.g. `dispute_evidence`.
    pub purpose: String,
    /// File name.
    pub filename: String,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: String,
    /// The bytes.
    pub data: Bytes,
}

list_query! {
    /// Query of `GET /v1/files`.
    pub struct ListFiles {
        /// Only this purpose.
        purpose: Option<String>,
    }
}

handle!(
    /// `client.files()`.
    Files, files
);

impl Files<'_> {
    /// `POST /v1/files` as `multipart/form-data` with fields `purpose` and `file`.
    pub async fn upload(&self, upload: &UploadFile) -> Result<File, Error> {
        let form = Multipart::new()
            .text("purpose", upload.purpose.clone())
            .file(
                "file",
                upload.filename.clone(),
                upload.content_type.clone(),
                upload.data.clone(),
            );
        let req = Request::post("/v1/files").multipart(form);
        self.client.fetch_one(self.write(req), "file").await
    }

    /// `GET /v1/files/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<File, Error> {
        let req = Request::get(format!("/v1/files/{}", path_segment(id)));
        self.client.fetch_one(req, "file").await
    }

    /// `GET /v1/files`: one page.
    pub async fn list(&self, query: &ListFiles) -> Result<Page<File>, Error> {
        let req = Request::get("/v1/files").query_pairs(to_query(query));
        self.client.fetch_page(req, "files").await
    }

    /// `GET /v1/files`: every page.
    pub fn list_all(&self, query: &ListFiles) -> BoxStream<'static, Result<File, Error>> {
        self.client
            .stream_list("/v1/files".into(), "files", to_query(query))
    }
}
