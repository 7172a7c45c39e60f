# The default CSP software-selling policy (R1-R16, README's rules table), written in Rego.
#
# input: one request document (docs/request.md), its free-text fields
# (actor.id, customer.name and domain, product.name, publisher and edition, order.id and
# currency) replaced by the host with their text keys (docs/request.md "Comparing text":
# NFKC, format characters removed, case-folded, spaces trimmed and collapsed; "" when
# blank), which Rego cannot compute. So free text is compared here as it comes.
# data.markets: the market lists, generated from the default policy (csp_peers::markets); the
# market, a string, is handed over as its key (a code in upper case, a name by its text key);
# data.runtime.now_ns: the time used when the request has no `at`.
#
# Deny by default; any forbid wins over any permit; any error means deny.
# Times are compared as Unix nanoseconds (time.parse_rfc3339_ns), exact durations.
package csp

import rego.v1

default allow := false

allow if {
	count(errors) == 0
	count(forbid) == 0
	count(permit) > 0
}

# ------------------------------------------------------------------ vocabulary

actions := {"purchase", "get_keys", "download", "view_activity_log", "cancel", "exchange", "apply_hybrid_benefit"}

partner_roles := {
	"admin_agent", "sales_agent", "helpdesk_agent", "global_admin", "account_admin",
	"billing_admin", "referral_admin", "marketing_content_admin",
}

customer_roles := {"global_admin", "billing_admin", "user"}

categories := {"azure_reservation", "server_subscription", "perpetual_software", "software_plan"}

sections := {"actor", "customer", "product", "order", "link", "license", "range"}

string_fields := {
	["actor", "id"], ["actor", "kind"], ["customer", "name"], ["customer", "domain"],
	["product", "name"], ["product", "category"], ["product", "publisher"],
	["product", "edition"], ["order", "id"], ["order", "status"], ["order", "currency"],
}

time_fields := {
	["order", "purchased_at"], ["order", "term_end"], ["link", "issued_at"],
	["range", "from"], ["range", "to"],
}

guid_fields := {["actor", "tenant_id"], ["customer", "tenant_id"]}

guid_pattern := `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

decimal_pattern := `^-?[0-9]+(\.[0-9]+)?$`

day_ns := ((24 * 60) * 60) * 1000000000

# ------------------------------------------------------------------ the request

# field(s, f): input[s][f], undefined when missing; null and "" count as missing.
field(s, f) := v if {
	v := input[s][f]
	not v in {null, ""}
}

# given(s, f): the field is present.
given(s, f) if field(s, f) != null

# Derived values are rules, so each is computed once per request.
has_at if {
	v := input.at
	not v in {null, ""}
}

at := time.parse_rfc3339_ns(input.at) if has_at

at := data.runtime.now_ns if not has_at

kind := field("actor", "kind")

roles := field("actor", "roles")

category := field("product", "category")

publisher := field("product", "publisher")

status := field("order", "status")

downloads := field("link", "downloads")

# Unix nanoseconds; undefined when missing or not RFC 3339.
purchased_at := time.parse_rfc3339_ns(field("order", "purchased_at"))

term_end := time.parse_rfc3339_ns(field("order", "term_end"))

issued_at := time.parse_rfc3339_ns(field("link", "issued_at"))

range_from := time.parse_rfc3339_ns(field("range", "from"))

range_to := time.parse_rfc3339_ns(field("range", "to"))

# The market's ISO code: a code (the host hands it in upper case), or a display name of
# the lists by its text key (the host keys it: csp_peers::markets::market_key).
market := code if {
	m := field("customer", "market")
	is_string(m)
	count(m) == 2
	code := upper(m)
	data.markets.iso3166[code]
}

market := data.markets.display_names[field("customer", "market")]

has_role(r) if {
	is_array(roles)
	r in roles
}

prorated if category != "perpetual_software"

suse_or_redhat if {
	category == "software_plan"
	publisher in {"suse", "redhat", "red hat"}
}

# ------------------------------------------------------------------ validation

errors contains "the request is not a JSON object" if not is_object(input)

errors contains "action: missing or unknown" if not input.action in actions

errors contains "at: not an RFC 3339 time" if {
	has_at
	not at
}

errors contains sprintf("%s: not an object", [s]) if {
	some s in sections
	v := input[s]
	v != null
	not is_object(v)
}

errors contains sprintf("%s.%s: not a string", [s, f]) if {
	some [s, f] in string_fields
	v := input[s][f]
	v != null
	not is_string(v)
}

errors contains sprintf("%s.%s: not an RFC 3339 time", [s, f]) if {
	some [s, f] in time_fields
	v := field(s, f)
	not time.parse_rfc3339_ns(v)
}

errors contains sprintf("%s.%s: not a GUID", [s, f]) if {
	some [s, f] in guid_fields
	v := field(s, f)
	not guid(v)
}

guid(v) if {
	is_string(v)
	regex.match(guid_pattern, v)
}

errors contains "actor.kind: missing or unknown" if not kind in {"partner", "customer"}

errors contains "actor.roles: missing or not a list" if not is_array(roles)

errors contains sprintf("actor.roles: %v is not a partner role", [r]) if {
	kind == "partner"
	is_array(roles)
	some r in roles
	not r in partner_roles
}

errors contains sprintf("actor.roles: %v is not a customer role", [r]) if {
	kind == "customer"
	is_array(roles)
	some r in roles
	not r in customer_roles
}

errors contains "customer.market: unknown market" if {
	given("customer", "market")
	not market
}

errors contains "product.category: unknown" if {
	c := category
	not c in categories
}

errors contains "order.status: must be active or canceled" if {
	s := status
	not s in {"active", "canceled"}
}

errors contains "order.price: not a non-negative decimal" if {
	p := field("order", "price")
	not decimal(p)
}

decimal(p) if {
	is_string(p)
	regex.match(decimal_pattern, p)
	to_number(p) >= 0
}

decimal(p) if {
	is_number(p)
	p >= 0
}

errors contains "link.downloads: not an integer >= 0" if {
	d := downloads
	not count_of_downloads(d)
}

count_of_downloads(d) if {
	is_number(d)
	d >= 0
	floor(d) == d
}

errors contains "license.software_assurance: not a boolean" if {
	v := field("license", "software_assurance")
	not is_boolean(v)
}

errors contains "at is before order.purchased_at" if at < purchased_at

errors contains "at is before link.issued_at" if at < issued_at

errors contains "range.from is after range.to" if range_from > range_to

errors contains "order.term_end is before order.purchased_at" if term_end < purchased_at

# --------------------------------------------------- required fields per action

required := {
	"purchase": [["customer", "market"], ["product", "category"]],
	"get_keys": [["order", "status"]],
	"download": [["order", "status"], ["link", "issued_at"], ["link", "downloads"]],
	"view_activity_log": [["range", "from"], ["range", "to"]],
	"cancel": [
		["product", "name"], ["product", "category"], ["order", "id"],
		["order", "purchased_at"], ["order", "status"], ["order", "price"],
	],
	"exchange": [["product", "category"]],
	"apply_hybrid_benefit": [],
}

errors contains sprintf("%s.%s: required for %s", [s, f, input.action]) if {
	some [s, f] in required[input.action]
	not given(s, f)
}

# R12: the customer is named by its name, tenant GUID or domain.
errors contains "customer: name, tenant_id or domain required for cancel" if {
	input.action == "cancel"
	not given("customer", "name")
	not given("customer", "tenant_id")
	not given("customer", "domain")
}

errors contains "product.publisher: required for a software plan" if {
	input.action in {"cancel", "exchange"}
	category == "software_plan"
	not given("product", "publisher")
}

errors contains "order.term_end: required for a prorated credit" if {
	input.action == "cancel"
	prorated
	not given("order", "term_end")
}

# R15: term_days = whole days from purchased_at to term_end must not be 0.
errors contains "order.term_end: a prorated credit needs a term of at least one day" if {
	input.action == "cancel"
	prorated
	term_end - purchased_at < day_ns
}

# ------------------------------------------------------------------ purchase

# R2
permit contains "purchase-by-partner-admin" if {
	input.action == "purchase"
	kind == "partner"
	some r in {"admin_agent", "global_admin"}
	has_role(r)
}

# R1
forbid contains "azure-reservation-unavailable-market" if {
	input.action == "purchase"
	category == "azure_reservation"
	data.markets.azure_reservations_unavailable[market]
}

# ---------------------------------------------------------- keys and downloads

# R4
permit contains "keys-by-partner-admin-agent" if {
	input.action in {"get_keys", "download"}
	kind == "partner"
	has_role("admin_agent")
}

# R5
permit contains "keys-by-customer-admin" if {
	input.action in {"get_keys", "download"}
	kind == "customer"
	some r in {"global_admin", "billing_admin"}
	has_role(r)
	category == "server_subscription"
	lower(field("actor", "tenant_id")) == lower(field("customer", "tenant_id"))
}

# R6
forbid contains "link-expired" if {
	input.action == "download"
	at >= issued_at + (14 * day_ns)
}

forbid contains "link-download-limit" if {
	input.action == "download"
	downloads >= 50
}

# R14
forbid contains "canceled-order-revoked" if {
	input.action in {"get_keys", "download", "cancel"}
	status == "canceled"
}

# ------------------------------------------------------------------ activity log

# R8
permit contains "activity-log-viewers" if {
	input.action == "view_activity_log"
	kind == "partner"
	some r in {"global_admin", "account_admin", "referral_admin", "marketing_content_admin"}
	has_role(r)
}

# ------------------------------------------------------------------ cancel

# R9
permit contains "cancel-by-partner-admin-agent" if {
	input.action == "cancel"
	kind == "partner"
	has_role("admin_agent")
}

# R10
forbid contains "cancel-window-closed" if {
	input.action == "cancel"
	at > purchased_at + (60 * day_ns)
}

# R11 (exchange has no permit in the default policy: deny by default)
forbid contains "suse-redhat-plans-final" if {
	input.action in {"cancel", "exchange"}
	suse_or_redhat
}

# ------------------------------------------------------ Azure Hybrid Benefit (R16)

permit contains "hybrid-benefit" if {
	input.action == "apply_hybrid_benefit"
	kind == "partner"
	some r in {"admin_agent", "global_admin"}
	has_role(r)
	contains(field("product", "name"), "windows server")
	field("product", "edition") in {"datacenter", "standard"}
	field("license", "software_assurance") == true
}
