//! Customers and their saved payment methods (reference §3.3, §4.3, §4.4). No DELETE.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request, path_segment};

model! {
    /// A postal address (`shipping_address_id` only on responses).
    pub struct Address {
        /// `fsh_…` (responses only).
        shipping_address_id: String,
        /// Line 1.
        line1: String,
        /// Line 2.
        line2: String,
        /// City.
        city: String,
        /// State.
        state: String,
        /// Postal code.
        postal_code: String,
        /// Country.
        country: String,
    }
}

model! {
    /// A customer.
    pub struct Customer {
        id: customer_id,
        /// First name.
        first_name: String,
        /// Last name.
        last_name: String,
        /// Email.
        email: String,
        /// E.164 phone.
        phone: String,
        /// Employer.
        employer: String,
        /// Shipping address.
        shipping: Address,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
        /// Test or live.
        test_mode: bool,
    }
}

model! {
    /// Card details of a payment method.
    pub struct Card {
        /// e.g. `visa`, `american_express`.
        brand: String,
        /// Issuing country.
        country: String,
        /// Expiry month.
        exp_month: u32,
        /// Expiry year.
        exp_year: u32,
        /// `credit`, `debit`, …
        funding: String,
        /// Last four digits.
        last4: String,
    }
}

model! {
    /// A saved payment method.
    pub struct PaymentMethod {
        id: payment_method_id,
        /// Billing details.
        billing_details: serde_json::Value,
        /// Owner.
        customer: Expandable<Customer>,
        /// Metadata.
        metadata: Metadata,
        /// Card.
        card: Card,
        /// When created.
        created_at: Timestamp,
        /// Test or live.
        test_mode: bool,
        /// Usable for off-session charges.
        off_session: bool,
    }
}

input! {
    /// An address in a request.
    pub struct AddressInput {
        /// Line 1.
        line1: Option<String>,
        /// Line 2.
        line2: Option<String>,
        /// City.
        city: Option<String>,
        /// State.
        state: Option<String>,
        /// Postal code.
        postal_code: Option<String>,
        /// Country.
        country: Option<String>,
    }
}

input! {
    /// Body of `POST /v1/customers` and `PATCH /v1/customers/{id}` (sent as `{"customer":{…}}`).
    pub struct CreateCustomer {
        /// First name.
        first_name: Option<String>,
        /// Last name.
        last_name: Option<String>,
        /// Email.
        email: Option<String>,
        /// E.164 phone.
        phone: Option<String>,
        /// Employer.
        employer: Option<String>,
        /// Shipping address.
        shipping: Option<AddressInput>,
        /// Attach to a checkout session (create only).
        checkout_session_id: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

/// Body of `PATCH /v1/customers/{id}`: the create fields, minus `checkout_session_id`.
pub type UpdateCustomer = CreateCustomer;

list_query! {
    /// Query of `GET /v1/customers`.
    pub struct ListCustomers {
        /// Objects to skip.
        offset: Option<u32>,
        /// Exact email match.
        email: Option<String>,
    }
}

list_query! {
    /// Query of `GET /v1/customers/{id}/payment_methods`.
    pub struct ListPaymentMethods {
        /// Objects to skip.
        offset: Option<u32>,
    }
}

handle!(
    /// `client.customers()`.
    Customers, customers
);

impl Customers<'_> {
    /// `POST /v1/customers`.
    pub async fn create(&self, body: &CreateCustomer) -> Result<Customer, Error> {
        let req = Request::post("/v1/customers").json(json!({ "customer": body }));
        self.client.fetch_one(self.write(req), "customer").await
    }

    /// `GET /v1/customers/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Customer, Error> {
        let req = Request::get(format!("/v1/customers/{}", path_segment(id)));
        self.client.fetch_one(req, "customer").await
    }

    /// `PATCH /v1/customers/{id}`.
    pub async fn update(&self, id: &str, body: &UpdateCustomer) -> Result<Customer, Error> {
        let req = Request::patch(format!("/v1/customers/{}", path_segment(id)))
            .json(json!({ "customer": body }));
        self.client.fetch_one(self.write(req), "customer").await
    }

    /// `GET /v1/customers`: one page.
    pub async fn list(&self, query: &ListCustomers) -> Result<Page<Customer>, Error> {
        let req = Request::get("/v1/customers").query_pairs(to_query(query));
        self.client.fetch_page(req, "customers").await
    }

    /// `GET /v1/customers`: every page.
    pub fn list_all(&self, query: &ListCustomers) -> BoxStream<'static, Result<Customer, Error>> {
        self.client
            .stream_list("/v1/customers".into(), "customers", to_query(query))
    }

    /// `GET /v1/customers/{id}/payment_methods`.
    pub async fn list_payment_methods(
        &self,
        customer_id: &str,
        query: &ListPaymentMethods,
    ) -> Result<Page<PaymentMethod>, Error> {
        let req = Request::get(format!(
            "/v1/customers/{}/payment_methods",
            path_segment(customer_id)
        ))
        .query_pairs(to_query(query));
        self.client.fetch_page(req, "payment_methods").await
    }

    /// `GET /v1/customers/{id}/payment_methods/{pm_id}`.
    pub async fn retrieve_payment_method(
        &self,
        customer_id: &str,
        payment_method_id: &str,
    ) -> Result<PaymentMethod, Error> {
        let req = Request::get(format!(
            "/v1/customers/{}/payment_methods/{}",
            path_segment(customer_id),
            path_segment(payment_method_id)
        ));
        self.client.fetch_one(req, "payment_method").await
    }
}
