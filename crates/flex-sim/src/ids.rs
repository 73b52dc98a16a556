//! Object kinds and their IDs.
//!
//! IDs are `<prefix>_<ULID>` (reference §1.5), lowercase like the newer real examples. The generator is
//! monotonic: two IDs minted in the same millisecond still sort in creation order, so "newest first,
//! ties by id desc" (§5.1) is the same as creation order.

/// Every object type the simulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Product,
    Price,
    Customer,
    PaymentMethod,
    CheckoutSession,
    LineItem,
    PaymentIntent,
    Capture,
    CaptureItem,
    Refund,
    Subscription,
    SubscriptionItem,
    Invoice,
    Coupon,
    PromoCode,
    ShippingRate,
    ShippingAddress,
    BalanceTransaction,
    Payout,
    Dispute,
    PaymentLink,
    SetupIntent,
    Export,
    File,
    Event,
    Webhook,
}

impl Kind {
    /// Every kind that has its own table (line, capture and subscription items live inside their
    /// parents; shipping addresses inside customers).
    pub const TABLES: [Kind; 22] = [
        Kind::Product,
        Kind::Price,
        Kind::Customer,
        Kind::PaymentMethod,
        Kind::CheckoutSession,
        Kind::PaymentIntent,
        Kind::Capture,
        Kind::Refund,
        Kind::Subscription,
        Kind::Invoice,
        Kind::Coupon,
        Kind::PromoCode,
        Kind::ShippingRate,
        Kind::BalanceTransaction,
        Kind::Payout,
        Kind::Dispute,
        Kind::PaymentLink,
        Kind::SetupIntent,
        Kind::Export,
        Kind::File,
        Kind::Event,
        Kind::Webhook,
    ];

    /// ID prefix, without the underscore (§1.5; the unknown ones use the suggested prefixes).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Product => "fprod",
            Kind::Price => "fprice",
            Kind::Customer => "fcus",
            Kind::PaymentMethod => "fpm",
            Kind::CheckoutSession => "fcs",
            Kind::LineItem => "fli",
            Kind::PaymentIntent => "fpi",
            Kind::Capture => "fcap",
            Kind::CaptureItem => "fcapi",
            Kind::Refund => "fre",
            Kind::Subscription => "fsub",
            Kind::SubscriptionItem => "fsubi",
            Kind::Invoice => "fin",
            Kind::Coupon => "fcoup",
            Kind::PromoCode => "fpromo",
            Kind::ShippingRate => "fshr",
            Kind::ShippingAddress => "fsh",
            Kind::BalanceTransaction => "fbt",
            Kind::Payout => "fpo",
            Kind::Dispute => "fdsp",
            Kind::PaymentLink => "fplink",
            Kind::SetupIntent => "fsi",
            Kind::Export => "fexp",
            Kind::File => "ffile",
            Kind::Event => "fevt",
            Kind::Webhook => "fwh",
        }
    }

    /// Singular snake_case name: the envelope key of one object and its `<name>_id` field.
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Product => "product",
            Kind::Price => "price",
            Kind::Customer => "customer",
            Kind::PaymentMethod => "payment_method",
            Kind::CheckoutSession => "checkout_session",
            Kind::LineItem => "line_item",
            Kind::PaymentIntent => "payment_intent",
            Kind::Capture => "capture",
            Kind::CaptureItem => "capture_item",
            Kind::Refund => "refund",
            Kind::Subscription => "subscription",
            Kind::SubscriptionItem => "subscription_item",
            Kind::Invoice => "invoice",
            Kind::Coupon => "coupon",
            Kind::PromoCode => "promo_code",
            Kind::ShippingRate => "shipping_rate",
            Kind::ShippingAddress => "shipping_address",
            Kind::BalanceTransaction => "balance_transaction",
            Kind::Payout => "payout",
            Kind::Dispute => "dispute",
            Kind::PaymentLink => "payment_link",
            Kind::SetupIntent => "setup_intent",
            Kind::Export => "export",
            Kind::File => "file",
            Kind::Event => "event",
            Kind::Webhook => "webhook",
        }
    }

    /// Plural list key (§1.4).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Product => "products",
            Kind::Price => "prices",
            Kind::Customer => "customers",
            Kind::PaymentMethod => "payment_methods",
            Kind::CheckoutSession => "checkout_sessions",
            Kind::LineItem => "line_items",
            Kind::PaymentIntent => "payment_intents",
            Kind::Capture => "captures",
            Kind::CaptureItem => "capture_items",
            Kind::Refund => "refunds",
            Kind::Subscription => "subscriptions",
            Kind::SubscriptionItem => "subscription_items",
            Kind::Invoice => "invoices",
            Kind::Coupon => "coupons",
            Kind::PromoCode => "promo_codes",
            Kind::ShippingRate => "shipping_rates",
            Kind::ShippingAddress => "shipping_addresses",
            Kind::BalanceTransaction => "balance_transactions",
            Kind::Payout => "payouts",
            Kind::Dispute => "disputes",
            Kind::PaymentLink => "payment_links",
            Kind::SetupIntent => "setup_intents",
            Kind::Export => "exports",
            Kind::File => "files",
            Kind::Event => "events",
            Kind::Webhook => "webhooks",
        }
    }

    /// The ID field of the object (`product_id`, `event_id`, …).
    pub fn id_field(self) -> String {
        format!("{}_id", self.singular())
    }

    /// Default page size (§5.1: 20 for refunds, invoices and disputes; 10 elsewhere).
    pub fn default_limit(self) -> usize {
        match self {
            Kind::Refund | Kind::Invoice | Kind::Dispute => 20,
            _ => 10,
        }
    }

    /// Human words for error messages ("No such checkout session").
    pub fn words(self) -> String {
        self.singular().replace('_', " ")
    }
}

/// Mints monotonic ULIDs. Seeded generators (demo data) are fully deterministic.
#[derive(Debug, Clone)]
pub struct IdGen {
    last_ms: u64,
    last_rand: u128,
    rng: u64,
}

impl IdGen {
    /// A generator whose random part comes from `seed` (SplitMix64), so a fixed seed and fixed
    /// timestamps give fixed IDs.
    pub fn new(seed: u64) -> Self {
        Self {
            last_ms: 0,
            last_rand: 0,
            rng: seed,
        }
    }

    fn next_u64(&mut self) -> u64 {
        // SplitMix64: tiny, deterministic, good enough for ID bits.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A new ID for `kind` at time `ms` (Unix milliseconds).
    pub fn mint(&mut self, kind: Kind, ms: u64) -> String {
        let rand_bits = if ms <= self.last_ms {
            // Same (or earlier) millisecond: keep the last time and count up, so order is kept.
            self.last_rand.wrapping_add(1) & ((1u128 << 80) - 1)
        } else {
            self.last_ms = ms;
            ((u128::from(self.next_u64()) << 16) | u128::from(self.next_u64() & 0xFFFF))
                & ((1u128 << 79) - 1)
        };
        self.last_rand = rand_bits;
        let ulid = ulid::Ulid::from_parts(self.last_ms, rand_bits);
        format!("{}_{}", kind.prefix(), ulid.to_string().to_lowercase())
    }

    /// A random-looking opaque token (client secrets, webhook secrets).
    pub fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(len);
        while out.len() < len {
            let n = self.next_u64();
            for i in 0..8 {
                if out.len() == len {
                    break;
                }
                let idx = usize::from(((n >> (i * 8)) & 0xFF) as u8) % ALPHABET.len();
                out.push(char::from(ALPHABET[idx]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_one_millisecond_sort_in_creation_order() {
        let mut g = IdGen::new(7);
        let a = g.mint(Kind::Product, 1_700_000_000_000);
        let b = g.mint(Kind::Product, 1_700_000_000_000);
        let c = g.mint(Kind::Product, 1_699_999_999_999);
        assert!(a < b && b < c, "monotonic: {a} {b} {c}");
        assert!(a.starts_with("fprod_") && a.len() == "fprod_".len() + 26);
    }

    #[test]
    fn seeded_generators_repeat() {
        let mut a = IdGen::new(42);
        let mut b = IdGen::new(42);
        assert_eq!(a.mint(Kind::Customer, 5), b.mint(Kind::Customer, 5));
        assert_eq!(a.token(24), b.token(24));
    }
}
