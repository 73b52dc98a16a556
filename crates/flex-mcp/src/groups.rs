//! Tool groups: the catalogue cut along Flex's documented use cases (reference §6.1), so an
//! assistant is offered what it needs instead of all 67 tools (Cursor passes only the first 40 to
//! its agent; Windsurf refuses servers past its total).
//!
//! Every tool belongs to exactly one group (its declaration says which). A [`Selection`] — the
//! groups turned on, read-only or not — decides which tools a session sees and may call; the
//! list for each distinct selection is built once and shared ([`tool_list`]).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq as _, Serializer};
use serde::{Deserialize, Serialize};

use crate::policy::Access;

/// A named group of tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Look up customers, orders (checkout sessions), payments and captures (reads only).
    Support,
    /// Refund payments and captures; answer, submit or close disputes.
    Refunds,
    /// Balance transactions, payouts, exports and files.
    Reporting,
    /// Create, capture, re-authorize and cancel checkout sessions and payment intents; preview
    /// how a capture or refund splits across payment methods.
    Checkout,
    /// Subscriptions, invoices, customers' billing details, saved payment methods.
    Subscriptions,
    /// Products and prices.
    Catalogue,
    /// Coupons, promo codes, shipping rates and payment links.
    Offers,
    /// Webhook event deliveries.
    Webhooks,
}

/// The word that turns on every group, in settings and on the command line.
pub const ALL: &str = "all";

impl Group {
    /// Every group, in the order they are shown.
    pub const EVERY: [Group; 8] = [
        Group::Support,
        Group::Refunds,
        Group::Reporting,
        Group::Checkout,
        Group::Subscriptions,
        Group::Catalogue,
        Group::Offers,
        Group::Webhooks,
    ];

    /// The groups on when settings choose none: the common work (look up, refund, sell a
    /// product) within every supported client's limits, including the three tools Flex's docs
    /// name (`create_product`, `list_payment_intents`, `refund_capture`).
    pub const DEFAULT: [Group; 3] = [Group::Support, Group::Refunds, Group::Catalogue];

    /// The name used in settings, on the command line and by the discovery tools.
    pub fn id(self) -> &'static str {
        match self {
            Group::Support => "support",
            Group::Refunds => "refunds",
            Group::Reporting => "reporting",
            Group::Checkout => "checkout",
            Group::Subscriptions => "subscriptions",
            Group::Catalogue => "catalogue",
            Group::Offers => "offers",
            Group::Webhooks => "webhooks",
        }
    }

    /// Plain words for the Settings page and `flex-mcp tools list`.
    pub fn title(self) -> &'static str {
        match self {
            Group::Support => "Customer support lookups",
            Group::Refunds => "Refunds and disputes",
            Group::Reporting => "Reconciliation and reporting",
            Group::Checkout => "Taking payments",
            Group::Subscriptions => "Subscriptions and invoices",
            Group::Catalogue => "Products and prices",
            Group::Offers => "Coupons, promo codes, shipping and payment links",
            Group::Webhooks => "Webhook events",
        }
    }

    /// One sentence: what the group is for.
    pub fn summary(self) -> &'static str {
        match self {
            Group::Support => {
                "Look up customers, orders (checkout sessions), payment intents and captures; \
                 reads only."
            }
            Group::Refunds => {
                "Refund payments, captures and orders; answer, submit or close disputes."
            }
            Group::Reporting => "Balance transactions, payouts, exports and files.",
            Group::Checkout => {
                "Create, capture, re-authorize and cancel checkout sessions and payment intents; \
                 preview how a capture or refund splits across payment methods."
            }
            Group::Subscriptions => {
                "Subscriptions, invoices, customers' billing details (create or update a \
                 customer) and saving a payment method (setup intents)."
            }
            Group::Catalogue => "Products (with HSA/FSA eligibility) and their prices.",
            Group::Offers => "Coupons, promo codes, shipping rates and payment links.",
            Group::Webhooks => "Retry a webhook event delivery.",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// Every tool of this group, in catalogue order.
    pub fn tools(self) -> impl Iterator<Item = &'static crate::tools::ToolDef> {
        crate::tools::catalogue()
            .iter()
            .filter(move |t| t.group == self)
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A group name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tool group `{name}`; the groups are {known}, or `all`")]
pub struct UnknownGroup {
    /// What was given.
    pub name: String,
    /// The known names, quoted and comma-separated.
    pub known: String,
}

impl UnknownGroup {
    fn new(name: &str) -> UnknownGroup {
        let known = Group::EVERY
            .iter()
            .map(|g| format!("`{}`", g.id()))
            .collect::<Vec<_>>()
            .join(", ");
        UnknownGroup {
            name: name.to_owned(),
            known,
        }
    }
}

impl FromStr for Group {
    type Err = UnknownGroup;

    fn from_str(s: &str) -> Result<Group, UnknownGroup> {
        let wanted = s.trim().to_ascii_lowercase();
        Group::EVERY
            .into_iter()
            .find(|g| g.id() == wanted)
            .ok_or_else(|| UnknownGroup::new(s))
    }
}

/// A set of groups. Written in settings as a list of names; `["all"]` when it holds every group
/// (so groups added later are on too).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GroupSet(u16);

impl GroupSet {
    /// No group.
    pub const EMPTY: GroupSet = GroupSet(0);

    /// Every group.
    pub fn all() -> GroupSet {
        GroupSet::from_iter(Group::EVERY)
    }

    /// The default groups ([`Group::DEFAULT`]).
    pub fn default_groups() -> GroupSet {
        GroupSet::from_iter(Group::DEFAULT)
    }

    /// Whether `group` is in the set.
    pub fn contains(self, group: Group) -> bool {
        self.0 & group.bit() != 0
    }

    /// The set with `group` added.
    #[must_use]
    pub fn with(self, group: Group) -> GroupSet {
        GroupSet(self.0 | group.bit())
    }

    /// The set with `group` removed.
    #[must_use]
    pub fn without(self, group: Group) -> GroupSet {
        GroupSet(self.0 & !group.bit())
    }

    /// Both sets together.
    #[must_use]
    pub fn union(self, other: GroupSet) -> GroupSet {
        GroupSet(self.0 | other.0)
    }

    /// Whether every group is in the set.
    pub fn is_all(self) -> bool {
        self == GroupSet::all()
    }

    /// The groups in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = Group> {
        Group::EVERY.into_iter().filter(move |g| self.contains(*g))
    }

    /// Parse one name: a group, or `all`.
    pub fn parse_name(name: &str) -> Result<GroupSet, UnknownGroup> {
        if name.trim().eq_ignore_ascii_case(ALL) {
            return Ok(GroupSet::all());
        }
        Ok(GroupSet::EMPTY.with(name.parse()?))
    }
}

impl FromIterator<Group> for GroupSet {
    fn from_iter<I: IntoIterator<Item = Group>>(iter: I) -> GroupSet {
        iter.into_iter().fold(GroupSet::EMPTY, GroupSet::with)
    }
}

impl fmt::Debug for GroupSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Group::id)).finish()
    }
}

impl Serialize for GroupSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_all() {
            let mut seq = serializer.serialize_seq(Some(1))?;
            seq.serialize_element(ALL)?;
            return seq.end();
        }
        let mut seq = serializer.serialize_seq(None)?;
        for g in self.iter() {
            seq.serialize_element(g.id())?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for GroupSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<GroupSet, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = GroupSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of tool group names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GroupSet, A::Error> {
                let mut set = GroupSet::EMPTY;
                while let Some(name) = seq.next_element::<String>()? {
                    set = set.union(GroupSet::parse_name(&name).map_err(de::Error::custom)?);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(Names)
    }
}

/// What one session is offered: which groups, and whether only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Selection {
    /// Groups turned on.
    pub groups: GroupSet,
    /// Only read tools, whatever the groups say.
    pub read_only: bool,
    /// Offer the discovery tools (`list_tool_groups`, `enable_tool_group`).
    pub discovery: bool,
}

impl Default for Selection {
    fn default() -> Selection {
        Selection {
            groups: GroupSet::default_groups(),
            read_only: false,
            discovery: true,
        }
    }
}

impl Selection {
    /// Whether catalogue tool `def` is offered. Read-only wins over every group.
    pub fn offers(self, def: &crate::tools::ToolDef) -> bool {
        self.groups.contains(def.group) && (!self.read_only || def.access() == Access::Read)
    }

    /// Whether the tool called `name` (catalogue or discovery) is offered.
    pub fn offers_name(self, name: &str) -> bool {
        if crate::discovery::is_discovery_tool(name) {
            return self.discovery;
        }
        crate::tools::find(name).is_some_and(|def| self.offers(def))
    }
}

/// `tools/list` for `selection`, built on first use and then shared by every session with the
/// same selection (a handful exist in practice: one per configured assistant, plus groups
/// turned on by discovery).
pub fn tool_list(selection: Selection) -> Arc<rmcp::model::ListToolsResult> {
    static CACHE: LazyLock<Mutex<HashMap<Selection, Arc<rmcp::model::ListToolsResult>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(hit) = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&selection)
    {
        return hit.clone();
    }
    let mut tools: Vec<rmcp::model::Tool> = crate::tools::catalogue()
        .iter()
        .zip(crate::tools::mcp_tools())
        .filter(|(def, _)| selection.offers(def))
        .map(|(_, tool)| tool.clone())
        .collect();
    if selection.discovery {
        tools.extend(crate::discovery::mcp_tools().iter().cloned());
    }
    let built = Arc::new(rmcp::model::ListToolsResult::with_all_items(tools));
    CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(selection)
        .or_insert(built)
        .clone()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_names_list_the_known_ones() {
        assert_eq!("Refunds".parse::<Group>().unwrap(), Group::Refunds);
        let err = "payments".parse::<Group>().unwrap_err().to_string();
        for g in Group::EVERY {
            assert!(err.contains(g.id()), "{err}");
        }
        assert!(err.contains("`payments`") && err.contains("`all`"), "{err}");
        assert!(GroupSet::parse_name("ALL").unwrap().is_all());
    }

    #[test]
    fn sets_round_trip_through_json_and_all_stays_all() {
        let set = GroupSet::EMPTY.with(Group::Support).with(Group::Offers);
        let text = serde_json::to_string(&set).unwrap();
        assert_eq!(text, r#"["support","offers"]"#);
        assert_eq!(serde_json::from_str::<GroupSet>(&text).unwrap(), set);
        assert_eq!(
            serde_json::to_string(&GroupSet::all()).unwrap(),
            r#"["all"]"#
        );
        let err = serde_json::from_str::<GroupSet>(r#"["support","nope"]"#).unwrap_err();
        assert!(err.to_string().contains("`nope`"), "{err}");
    }
}
