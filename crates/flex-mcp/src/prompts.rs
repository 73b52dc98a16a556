//! MCP prompts for the workflows Flex documents (reference §6.6): look up a payment, check a
//! double charge, reconcile a day, refund after a support chat, subscription operations, and a
//! weekly report.
//!
//! A prompt is a ready-made user message that names the tools to use and in what order, so a
//! merchant picks "double-charge check" from the client's menu instead of writing the recipe.
//! They are data (a static table) because they never change at run time.

use std::collections::HashMap;

use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};

/// One argument of a prompt.
#[derive(Debug, Clone, Copy)]
pub struct PromptArg {
    /// Argument name, used as `{name}` in the template.
    pub name: &'static str,
    /// What to pass.
    pub description: &'static str,
    /// Whether the prompt cannot be rendered without it.
    pub required: bool,
    /// Default text when an optional argument is left out.
    pub default: &'static str,
    /// Required prefix of the value (a Flex id prefix), if any.
    pub prefix: Option<&'static str>,
}

/// One prompt.
#[derive(Debug, Clone, Copy)]
pub struct PromptDef {
    /// Prompt name (snake_case).
    pub name: &'static str,
    /// Human title.
    pub title: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Arguments.
    pub args: &'static [PromptArg],
    /// The user message, with `{arg}` placeholders.
    pub template: &'static str,
    /// Tools the template tells the model to use (checked against the catalogue in tests).
    pub tools: &'static [&'static str],
}

const fn req(
    name: &'static str,
    description: &'static str,
    prefix: Option<&'static str>,
) -> PromptArg {
    PromptArg {
        name,
        description,
        required: true,
        default: "",
        prefix,
    }
}

const fn opt(name: &'static str, description: &'static str, default: &'static str) -> PromptArg {
    PromptArg {
        name,
        description,
        required: false,
        default,
        prefix: None,
    }
}

/// Every prompt, in menu order.
pub const PROMPTS: &[PromptDef] = &[
    PromptDef {
        name: "look_up_payment",
        title: "Look up a payment",
        description: "Everything about one payment intent: HSA/FSA approval, capture, customer \
                      email, refunds and disputes.",
        args: &[req(
            "payment_intent_id",
            "The payment intent id, starting fpi_ (e.g. fpi_01HW5KTQQAAQ66WV19MFW4DTT4).",
            Some("fpi_"),
        )],
        template: "Look up payment intent {payment_intent_id} in Flex.\n\
            1. Call get_payment_intent with payment_intent_id={payment_intent_id}. Report its \
            status, amount (amounts are integer cents: show dollars), and whether it passed \
            HSA/FSA approval.\n\
            2. If it has a checkout session, call list_captures with that checkout_session to \
            find when it was captured.\n\
            3. Call get_customer for its customer and report the email.\n\
            4. Call list_refunds with payment_intent={payment_intent_id}, and list_disputes \
            (keep only disputes on this payment intent). Say whether any refund or dispute is \
            open.\n\
            Answer in a short summary. Do not change anything.",
        tools: &[
            "get_payment_intent",
            "list_captures",
            "get_customer",
            "list_refunds",
            "list_disputes",
        ],
    },
    PromptDef {
        name: "double_charge_check",
        title: "Check a reported double charge",
        description: "Find a customer's recent payment intents by email and flag likely \
                      duplicates.",
        args: &[
            req("email", "The customer's email address.", None),
            opt("days", "How many days back to look (default 7).", "7"),
        ],
        template: "A customer ({email}) reports being charged twice.\n\
            1. Call list_customers with email={email} to find their customer id(s) (fcus_…).\n\
            2. For each customer, call list_payment_intents with customer=<id> and \
            interval={days} (days), paging with starting_after while has_more is true.\n\
            3. Flag likely duplicates: same amount (integer cents) within a short time of each \
            other, both succeeded or captured. Show a table: id, created, amount in dollars, \
            status, duplicate?\n\
            Do not refund anything. If there is a duplicate, say which one could be refunded \
            and ask me before doing it.",
        tools: &["list_customers", "list_payment_intents"],
    },
    PromptDef {
        name: "daily_reconciliation",
        title: "Reconcile a day's captures",
        description: "Sum one day's captured payments by product and list refunds and payouts \
                      of that day.",
        args: &[req("date", "The day to reconcile, YYYY-MM-DD (UTC).", None)],
        template: "Reconcile Flex for {date} (UTC).\n\
            1. Call list_captures (expand payment intents if offered) and keep the captures \
            created on {date}; page with starting_after while has_more is true. Captures have \
            no date filter, so stop once you reach older ones.\n\
            2. Sum the captured amounts (integer cents) by product, using the line items of \
            each capture's checkout session (list_checkout_session_line_items).\n\
            3. Call list_refunds and list_payouts and list what happened on {date}.\n\
            Show totals in dollars with two decimals. Read only: do not change anything.",
        tools: &[
            "list_captures",
            "list_checkout_session_line_items",
            "list_refunds",
            "list_payouts",
        ],
    },
    PromptDef {
        name: "refund_after_support_chat",
        title: "Refund after a support chat",
        description: "Check a payment and prepare a refund the support agent agreed to; the \
                      refund itself needs the user's confirmation.",
        args: &[
            req(
                "payment_intent_id",
                "The payment intent to refund, starting fpi_.",
                Some("fpi_"),
            ),
            opt(
                "amount",
                "Amount to refund in integer cents (e.g. 1250 for $12.50); leave out for the \
                 full remaining amount.",
                "the full remaining amount",
            ),
            opt(
                "reason",
                "Why the customer is refunded.",
                "requested by customer",
            ),
        ],
        template: "Support agreed to refund payment intent {payment_intent_id} ({amount}; \
            reason: {reason}).\n\
            1. Call get_payment_intent with payment_intent_id={payment_intent_id} and \
            list_refunds with payment_intent={payment_intent_id}. Work out how much is left to \
            refund (integer cents).\n\
            2. Tell me the customer, the amount captured, already refunded, and what you will \
            refund, in dollars. Wait for my yes.\n\
            3. Then call create_refund with payment_intent_id={payment_intent_id}, the amount \
            in cents and the reason. This moves money and cannot be undone; if it is refused by \
            the policy, tell me what the message says instead of retrying.",
        tools: &["get_payment_intent", "list_refunds", "create_refund"],
    },
    PromptDef {
        name: "subscription_ops",
        title: "Review subscriptions",
        description: "Active subscriptions and upcoming renewals, optionally for one customer.",
        args: &[opt(
            "email",
            "Only this customer's subscriptions (leave out for all).",
            "every customer",
        )],
        template: "Review Flex subscriptions for {email}.\n\
            1. If an email was given, call list_customers with that email to get the customer \
            id (fcus_…).\n\
            2. Call list_subscriptions (status active, and customer=<id> if known), paging \
            with starting_after while has_more is true.\n\
            3. For each, show id, customer, price, amount in dollars, status, current period \
            end (next renewal) and cancel_at_period_end.\n\
            4. List renewals due in the next 7 days first.\n\
            Read only. If I ask to cancel one, first call get_subscription_refund_preview and \
            show me the refund, then use cancel_subscription only after I confirm.",
        tools: &[
            "list_customers",
            "list_subscriptions",
            "get_subscription_refund_preview",
            "cancel_subscription",
        ],
    },
    PromptDef {
        name: "weekly_report",
        title: "Weekly report",
        description: "Capture volume, top products by revenue, refunds and new customers for one \
                      week.",
        args: &[opt(
            "week_start",
            "First day of the week, YYYY-MM-DD (default: the last 7 days).",
            "the last 7 days",
        )],
        template: "Write a weekly Flex report for the week starting {week_start}.\n\
            1. Captures: call list_captures and keep the week's captures (page with \
            starting_after while has_more is true); total volume in dollars and count.\n\
            2. Top products by revenue: use the line items of those captures' checkout \
            sessions (list_checkout_session_line_items) and list_products for names.\n\
            3. Refunds: call list_refunds; count and total for the week.\n\
            4. New customers: call list_customers and count those created in the week.\n\
            5. Payouts: call list_payouts for the week.\n\
            Amounts are integer cents: show dollars. Read only: do not change anything.",
        tools: &[
            "list_captures",
            "list_checkout_session_line_items",
            "list_products",
            "list_refunds",
            "list_customers",
            "list_payouts",
        ],
    },
];

/// The prompts as MCP `Prompt`s (for `prompts/list`).
pub fn list() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|p| {
            let args = p
                .args
                .iter()
                .map(|a| {
                    PromptArgument::new(a.name)
                        .with_description(a.description)
                        .with_required(a.required)
                })
                .collect();
            Prompt::new(p.name, Some(p.description), Some(args)).with_title(p.title)
        })
        .collect()
}

/// The prompts a session with `selection` is offered: those whose every tool it has, so a
/// prompt never sends a model to a tool it cannot call. A prompt thus goes with the groups of
/// its tools.
pub fn list_for(selection: crate::groups::Selection) -> Vec<Prompt> {
    let offered: Vec<&str> = PROMPTS
        .iter()
        .filter(|p| p.tools.iter().all(|t| selection.offers_name(t)))
        .map(|p| p.name)
        .collect();
    list()
        .into_iter()
        .filter(|p| offered.contains(&p.name.as_str()))
        .collect()
}

/// Whether prompt `name` exists and is offered under `selection`.
pub fn offered(name: &str, selection: crate::groups::Selection) -> bool {
    PROMPTS
        .iter()
        .find(|p| p.name == name)
        .is_none_or(|p| p.tools.iter().all(|t| selection.offers_name(t)))
}

/// Why a prompt could not be rendered (a protocol fault: the client sent a bad request).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// No prompt by that name.
    #[error("unknown prompt `{0}`; prompts/list names the available ones")]
    Unknown(String),
    /// A required argument is missing or empty.
    #[error("prompt `{prompt}` needs the argument `{arg}`: {description}")]
    Missing {
        /// Prompt name.
        prompt: String,
        /// Argument name.
        arg: &'static str,
        /// What to pass.
        description: &'static str,
    },
    /// An argument does not have the expected id prefix.
    #[error("argument `{arg}` of prompt `{prompt}` must start with {prefix}")]
    BadPrefix {
        /// Prompt name.
        prompt: String,
        /// Argument name.
        arg: &'static str,
        /// Expected prefix.
        prefix: &'static str,
    },
}

/// Render one prompt with its arguments.
pub fn get<S: std::hash::BuildHasher>(
    name: &str,
    args: &HashMap<String, String, S>,
) -> Result<GetPromptResult, PromptError> {
    let def = PROMPTS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| PromptError::Unknown(name.to_string()))?;
    let text = render(def, args)?;
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(def.description),
    )
}

/// The prompt's user message with its arguments filled in.
pub fn render<S: std::hash::BuildHasher>(
    def: &PromptDef,
    args: &HashMap<String, String, S>,
) -> Result<String, PromptError> {
    let name = def.name;
    let mut text = def.template.to_string();
    for a in def.args {
        let given = args.get(a.name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let value = match (given, a.required) {
            (Some(v), _) => {
                if let Some(prefix) = a.prefix
                    && !v.starts_with(prefix)
                {
                    return Err(PromptError::BadPrefix {
                        prompt: name.to_string(),
                        arg: a.name,
                        prefix,
                    });
                }
                v
            }
            (None, true) => {
                return Err(PromptError::Missing {
                    prompt: name.to_string(),
                    arg: a.name,
                    description: a.description,
                });
            }
            (None, false) => a.default,
        };
        text = text.replace(&format!("{{{}}}", a.name), value);
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_an_argument_and_every_argument_is_used() {
        for p in PROMPTS {
            for a in p.args {
                assert!(
                    p.template.contains(&format!("{{{}}}", a.name)),
                    "{}: argument {} unused",
                    p.name,
                    a.name
                );
            }
            let mut args = HashMap::new();
            for a in p.args {
                args.insert(a.name.to_string(), format!("{}X", a.prefix.unwrap_or("")));
            }
            let text = render(p, &args).unwrap();
            assert!(
                !text.contains('{'),
                "{}: unreplaced placeholder in {text}",
                p.name
            );
            assert!(get(p.name, &args).is_ok());
            for tool in p.tools {
                assert!(p.template.contains(tool), "{}: names {tool}", p.name);
            }
        }
    }

    #[test]
    fn missing_and_malformed_arguments_are_named() {
        let err = get("look_up_payment", &HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("payment_intent_id"));
        let args = HashMap::from([("payment_intent_id".to_string(), "fcs_1".to_string())]);
        assert!(matches!(
            get("look_up_payment", &args),
            Err(PromptError::BadPrefix { prefix: "fpi_", .. })
        ));
        assert!(matches!(get("nope", &args), Err(PromptError::Unknown(_))));
    }
}
