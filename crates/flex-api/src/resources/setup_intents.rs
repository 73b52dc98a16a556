//! Setup intents (reference §3.16, §4.16): collect payment details for later. The GET path is
//! seen only in third-party code (X).

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{
    Expand, Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query,
};
use crate::page::Page;
use crate::resources::customers::{Customer, PaymentMethod};
use crate::{Error, Request, path_segment};

model! {
    /// A setup intent.
    pub struct SetupIntent {
        id: setup_intent_id,
        /// Client secret.
        client_secret: String,
        /// Customer.
        customer: Expandable<Customer>,
        /// Description.
        description: String,
        /// Payment method.
        payment_method: Expandable<PaymentMethod>,
        /// Partner.
        partner_id: String,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
        /// Test or live.
        test_mode: bool,
        /// `requires_payment_method`, `succeeded`, …
        status: String,
        /// `off_session`, …
        usage: String,
        /// Subscription.
        subscription_id: String,
    }
}

input! {
    /// Body of `POST /v1/setup_intents` (sent as `{"setup_intent":{…}}`).
    pub struct CreateSetupIntent {
        /// Partner.
        partner_id: Option<String>,
        /// Checkout session ID.
        checkout_session: Option<String>,
    }
}

list_query! {
    /// Query of `GET /v1/setup_intents`.
    pub struct ListSetupIntents {
        /// Objects to skip.
        offset: Option<u32>,
        /// Only this customer's.
        customer: Option<String>,
        /// Expand list.
        expand: Option<String>,
    }
}

handle!(
    /// `client.setup_intents()`.
    SetupIntents, setup_intents
);

impl SetupIntents<'_> {
    /// `POST /v1/setup_intents`.
    pub async fn create(&self, body: &CreateSetupIntent) -> Result<SetupIntent, Error> {
        let req = Request::post("/v1/setup_intents").json(json!({ "setup_intent": body }));
        self.client.fetch_one(self.write(req), "setup_intent").await
    }

    /// `GET /v1/setup_intents/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<SetupIntent, Error> {
        self.retrieve_with(id, &Expand::default()).await
    }

    /// `GET /v1/setup_intents/{id}?expand=…`.
    pub async fn retrieve_with(&self, id: &str, expand: &Expand) -> Result<SetupIntent, Error> {
        let req = Request::get(format!("/v1/setup_intents/{}", path_segment(id)))
            .query_pairs(to_query(expand));
        self.client.fetch_one(req, "setup_intent").await
    }

    /// `GET /v1/setup_intents`: one page.
    pub async fn list(&self, query: &ListSetupIntents) -> Result<Page<SetupIntent>, Error> {
        let req = Request::get("/v1/setup_intents").query_pairs(to_query(query));
        self.client.fetch_page(req, "setup_intents").await
    }

    /// `GET /v1/setup_intents`: every page.
    pub fn list_all(
        &self,
        query: &ListSetupIntents,
    ) -> BoxStream<'static, Result<SetupIntent, Error>> {
        self.client
            .stream_list("/v1/setup_intents".into(), "setup_intents", to_query(query))
    }
}
