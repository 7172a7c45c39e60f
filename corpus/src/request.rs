//! Well-formed requests, one builder per action, with a realistic share of denials
//! (wrong roles, unavailable markets, expired links, canceled orders, closed windows...).

use serde_json::{json, Map, Value};

use crate::data::{self, Product};
use crate::rng::Rng;
use crate::spell;
use crate::time::{rfc3339, DAY};

/// The seven actions of the request contract.
pub const ACTIONS: [&str; 7] = [
    "purchase",
    "get_keys",
    "download",
    "view_activity_log",
    "cancel",
    "exchange",
    "apply_hybrid_benefit",
];

/// How often each action appears in traffic (per mille).
const ACTION_MIX: [(&str, u64); 7] = [
    ("purchase", 340),
    ("get_keys", 170),
    ("download", 160),
    ("cancel", 120),
    ("view_activity_log", 90),
    ("apply_hybrid_benefit", 90),
    ("exchange", 30),
];

/// 2025-01-01T00:00:00Z: requests are spread over the two years that follow.
const EPOCH: i64 = 1_735_689_600;

/// A request as a JSON object, plus the `at` it was built around.
pub struct Draft {
    /// The request document.
    pub doc: Map<String, Value>,
    /// `at`, in Unix seconds.
    pub at: i64,
}

/// Builds one well-formed request.
pub fn build(rng: &mut Rng, serial: u64) -> Draft {
    let at = EPOCH + rng.range(0, 730 * DAY);
    let action = rng.weighted(&ACTION_MIX);
    let (customer, tenant) = customer(rng);
    let mut doc = Map::new();
    doc.insert("action".into(), json!(action));
    doc.insert("at".into(), json!(rfc3339(at)));
    doc.insert("customer".into(), customer);
    let mut b = Builder {
        rng,
        doc,
        at,
        tenant,
        serial,
    };
    match action {
        "purchase" => b.purchase(),
        "get_keys" => b.keys(false),
        "download" => b.keys(true),
        "cancel" => b.cancel(),
        "view_activity_log" => b.activity_log(),
        "apply_hybrid_benefit" => b.hybrid_benefit(),
        _ => b.exchange(),
    }
    if b.rng.chance(20) {
        b.doc
            .insert("note".into(), json!("unknown fields are ignored"));
    }
    Draft { doc: b.doc, at }
}

/// A random lower-case GUID.
pub fn guid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// A customer object (name, tenant, domain, market) and its tenant id.
fn customer(rng: &mut Rng) -> (Value, String) {
    let name = *rng.pick(&data::CUSTOMERS);
    let tenant = guid(rng);
    let domain = format!("{}.onmicrosoft.com", name.replace(' ', "").to_lowercase());
    let mut market = if rng.chance(150) {
        rng.pick(&data::UNAVAILABLE_MARKETS).0.to_string()
    } else {
        rng.weighted(&data::AVAILABLE_MARKETS).to_string()
    };
    if rng.chance(200) {
        market = market.to_lowercase();
    }
    let value = json!({ "name": name, "tenant_id": tenant, "domain": domain, "market": market });
    (value, tenant)
}

/// Per-request state shared by the action builders.
struct Builder<'r> {
    rng: &'r mut Rng,
    doc: Map<String, Value>,
    at: i64,
    tenant: String,
    serial: u64,
}

impl Builder<'_> {
    fn set(&mut self, key: &str, value: Value) {
        self.doc.insert(key.into(), value);
    }

    fn partner(&mut self, mix: &[(&'static str, u64)]) {
        let mut roles = vec![self.rng.weighted(mix)];
        if self.rng.chance(100) {
            let extra = *self.rng.pick(&data::PARTNER_ROLES);
            if !roles.contains(&extra) {
                roles.push(extra);
            }
        }
        let id = self.actor_id();
        let mut actor = json!({ "id": id, "kind": "partner", "roles": roles });
        match self.rng.below(3) {
            0 => actor["tenant_id"] = Value::Null,
            1 => actor["tenant_id"] = json!(guid(self.rng)),
            _ => {}
        }
        self.set("actor", actor);
    }

    /// A customer-side actor; most belong to the customer's own tenant.
    fn customer_actor(&mut self, mix: &[(&'static str, u64)]) {
        let role = self.rng.weighted(mix);
        let tenant = if self.rng.chance(880) {
            if self.rng.chance(100) {
                self.tenant.to_uppercase()
            } else {
                self.tenant.clone()
            }
        } else {
            guid(self.rng)
        };
        let actor = json!({ "id": format!("it{}@customer.example", self.serial % 97), "kind": "customer", "roles": [role], "tenant_id": tenant });
        self.set("actor", actor);
    }

    fn actor_id(&mut self) -> String {
        format!(
            "ops{}@partner{}.example",
            self.rng.below(50),
            self.rng.below(8)
        )
    }

    fn product(&mut self, p: Product) {
        let mut obj = json!({ "name": p.0, "category": p.1, "publisher": p.2 });
        if !p.3.is_empty() {
            obj["edition"] = json!(p.3);
        }
        spell::respell_product(&mut obj, self.serial, self.at);
        self.set("product", obj);
    }

    /// A product of a weighted category mix (reservation, server, perpetual, plan).
    fn product_mix(&mut self, weights: [u64; 4]) -> Product {
        let table: [(&[Product], u64); 4] = [
            (&data::RESERVATIONS, weights[0]),
            (&data::SERVER_SUBSCRIPTIONS, weights[1]),
            (&data::PERPETUAL, weights[2]),
            (&data::PLANS, weights[3]),
        ];
        let line = self.rng.weighted(&table);
        let p = *self.rng.pick(line);
        self.product(p);
        p
    }

    /// An order bought `age` seconds before `at`, canceled with probability `canceled`‰.
    fn order(&mut self, p: Product, age: i64, canceled: u64) {
        let purchased = self.at - age;
        let status = if self.rng.chance(canceled) {
            "canceled"
        } else {
            "active"
        };
        let cents = self.rng.range(5_000, 2_500_000);
        let price = if self.rng.chance(300) {
            json!(cents / 100)
        } else {
            json!(format!("{}.{:02}", cents / 100, cents % 100))
        };
        let mut order = json!({
            "id": format!("ORD-{:06}", self.serial % 1_000_000),
            "purchased_at": rfc3339(purchased),
            "status": status,
            "price": price,
            "currency": self.rng.pick(&data::CURRENCIES),
        });
        if p.1 != "perpetual_software" {
            let years = if self.rng.chance(700) { 1 } else { 3 };
            order["term_end"] = json!(rfc3339(purchased + years * 365 * DAY));
        }
        self.set("order", order);
    }

    fn purchase(&mut self) {
        if self.rng.chance(50) {
            self.customer_actor(&[("global_admin", 1)]);
        } else {
            self.partner(&[
                ("admin_agent", 50),
                ("global_admin", 33),
                ("sales_agent", 10),
                ("helpdesk_agent", 4),
                ("billing_admin", 3),
            ]);
        }
        self.product_mix([40, 35, 15, 10]);
    }

    /// `get_keys`, or `download` with a link.
    fn keys(&mut self, download: bool) {
        if self.rng.chance(200) {
            self.customer_actor(&[("global_admin", 55), ("billing_admin", 33), ("user", 12)]);
        } else {
            self.partner(&[
                ("admin_agent", 88),
                ("global_admin", 6),
                ("helpdesk_agent", 6),
            ]);
        }
        let p = self.product_mix([4, 76, 15, 5]);
        let age = self.rng.range(20 * DAY, 400 * DAY);
        self.order(p, age, 40);
        if download {
            let issued = match self.rng.below(200) {
                0 => self.at - 14 * DAY,
                1 => self.at - 14 * DAY + 1,
                _ => self.at - self.rng.range(0, 16 * DAY),
            };
            let downloads = match self.rng.below(100) {
                0..=84 => self.rng.range(0, 40),
                85..=93 => self.rng.range(40, 49),
                _ => self.rng.range(50, 60),
            };
            self.set(
                "link",
                json!({ "issued_at": rfc3339(issued), "downloads": downloads }),
            );
        }
    }

    fn cancel(&mut self) {
        if self.rng.chance(30) {
            self.customer_actor(&[("global_admin", 1)]);
        } else {
            self.partner(&[("admin_agent", 88), ("global_admin", 7), ("sales_agent", 5)]);
        }
        let p = self.product_mix([15, 57, 20, 8]);
        let age = match self.rng.below(200) {
            0 => 60 * DAY,
            1 => 60 * DAY + 1,
            _ => self.rng.range(0, 75 * DAY),
        };
        self.order(p, age, 40);
        // The customer is named by any non-empty subset of name, tenant and domain.
        if let Some(Value::Object(c)) = self.doc.get_mut("customer") {
            for key in ["name", "tenant_id", "domain"] {
                if c.len() > 2 && self.rng.chance(250) {
                    c.remove(key);
                }
            }
        }
    }

    fn activity_log(&mut self) {
        if self.rng.chance(30) {
            self.customer_actor(&[("global_admin", 1)]);
        } else {
            self.partner(&[
                ("global_admin", 35),
                ("account_admin", 20),
                ("referral_admin", 15),
                ("marketing_content_admin", 12),
                ("admin_agent", 12),
                ("sales_agent", 6),
            ]);
        }
        let from = self.at - self.rng.range(DAY, 90 * DAY);
        let to = from + self.rng.range(0, self.at - from);
        self.set("range", json!({ "from": rfc3339(from), "to": rfc3339(to) }));
    }

    fn hybrid_benefit(&mut self) {
        self.partner(&[
            ("admin_agent", 55),
            ("global_admin", 37),
            ("sales_agent", 8),
        ]);
        let p = if self.rng.chance(880) {
            *self.rng.pick(&data::SERVER_SUBSCRIPTIONS[..3])
        } else {
            *self.rng.pick(&data::NOT_HYBRID)
        };
        self.product(p);
        match self.rng.below(100) {
            0..=87 => self.set("license", json!({ "software_assurance": true })),
            88..=95 => self.set("license", json!({ "software_assurance": false })),
            _ => {}
        }
    }

    fn exchange(&mut self) {
        self.partner(&[("admin_agent", 9), ("global_admin", 1)]);
        let p = self.product_mix([40, 30, 0, 30]);
        let age = self.rng.range(0, 200 * DAY);
        self.order(p, age, 20);
    }
}
