# The default CSP software-selling policy (DESIGN.md R1-R16), written in Rego.
#
# input: one request document (DESIGN.md "Request contract").
# data.markets: the market lists (markets.json); data.runtime.now_ns: the time used
# when the request has no `at`.
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

decimal_pattern := `^[0-9]+(\.[0-9]+)?$`

day_ns := ((24 * 60) * 60) * 1000000000

# ------------------------------------------------------------------ accessors

# A section of the request, or {} when absent (or not an object: see errors).
section(name) := s if {
	s := input[name]
	is_object(s)
} else := {}

# has(s, f): input[s][f] is present; null and "" count as missing.
has(s, f) if val(s, f) != null

val(s, f) := v if {
	v := section(s)[f]
	not v in {null, ""}
}

# The field's value when it is a string.
str(s, f) := v if {
	v := val(s, f)
	is_string(v)
}

# Unix nanoseconds of a time field; undefined when missing or not RFC 3339.
ns(s, f) := time.parse_rfc3339_ns(val(s, f))

at := time.parse_rfc3339_ns(input.at) if has_at

at := data.runtime.now_ns if not has_at

has_at if {
	v := input.at
	not v in {null, ""}
}

kind := val("actor", "kind")

roles := {r | some r in val("actor", "roles")}

category := val("product", "category")

publisher := lower(str("product", "publisher"))

status := val("order", "status")

# The market's ISO code: a code in any case, or a display name as written in the lists.
market := upper(m) if {
	m := str("customer", "market")
	count(m) == 2
	data.markets.iso3166[upper(m)]
}

market := data.markets.display_names[val("customer", "market")]

prorated if category != "perpetual_software"

suse_or_redhat if {
	category == "software_plan"
	publisher in {"suse", "redhat"}
}

# ------------------------------------------------------------------ validation

errors contains "the request is not a JSON object" if not is_object(input)

errors contains "action: missing or unknown" if not input.action in actions

errors contains "at: not an RFC 3339 time" if {
	has_at
	not time.parse_rfc3339_ns(input.at)
}

errors contains sprintf("%s: not an object", [s]) if {
	some s in sections
	v := input[s]
	v != null
	not is_object(v)
}

errors contains sprintf("%s.%s: not a string", [s, f]) if {
	some [s, f] in string_fields
	v := val(s, f)
	not is_string(v)
}

errors contains sprintf("%s.%s: not an RFC 3339 time", [s, f]) if {
	some [s, f] in time_fields
	has(s, f)
	not ns(s, f)
}

errors contains sprintf("%s.%s: not a GUID", [s, f]) if {
	some [s, f] in guid_fields
	has(s, f)
	not regex.match(guid_pattern, str(s, f))
}

errors contains "actor.kind: missing or unknown" if not kind in {"partner", "customer"}

errors contains "actor.roles: missing or not a list" if not is_array(val("actor", "roles"))

errors contains sprintf("actor.roles: %v is not a %s role", [r, kind]) if {
	some r in val("actor", "roles")
	kind == "partner"
	not r in partner_roles
}

errors contains sprintf("actor.roles: %v is not a %s role", [r, kind]) if {
	some r in val("actor", "roles")
	kind == "customer"
	not r in customer_roles
}

errors contains "customer.market: unknown market" if {
	has("customer", "market")
	not market
}

errors contains "product.category: unknown" if {
	has("product", "category")
	not category in categories
}

errors contains "order.status: must be active or canceled" if {
	has("order", "status")
	not status in {"active", "canceled"}
}

errors contains "order.price: not a non-negative decimal" if {
	has("order", "price")
	not price_ok
}

price_ok if regex.match(decimal_pattern, str("order", "price"))

price_ok if {
	p := val("order", "price")
	is_number(p)
	p >= 0
}

errors contains "link.downloads: not an integer >= 0" if {
	has("link", "downloads")
	d := val("link", "downloads")
	not downloads_ok(d)
}

downloads_ok(d) if {
	is_number(d)
	d >= 0
	floor(d) == d
}

errors contains "license.software_assurance: not a boolean" if {
	has("license", "software_assurance")
	not is_boolean(val("license", "software_assurance"))
}

errors contains "at is before order.purchased_at" if at < ns("order", "purchased_at")

errors contains "at is before link.issued_at" if at < ns("link", "issued_at")

errors contains "range.from is after range.to" if ns("range", "from") > ns("range", "to")

errors contains "order.term_end is before order.purchased_at" if {
	ns("order", "term_end") < ns("order", "purchased_at")
}

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
	not has(s, f)
}

# R12: the customer is named by its name, tenant GUID or domain.
errors contains "customer: name, tenant_id or domain required for cancel" if {
	input.action == "cancel"
	not has("customer", "name")
	not has("customer", "tenant_id")
	not has("customer", "domain")
}

errors contains "product.publisher: required for a software plan" if {
	input.action in {"cancel", "exchange"}
	category == "software_plan"
	not has("product", "publisher")
}

errors contains "order.term_end: required for a prorated credit" if {
	input.action == "cancel"
	prorated
	not has("order", "term_end")
}

# R15: term_days = whole days from purchased_at to term_end must not be 0.
errors contains "order.term_end: a prorated credit needs a term of at least one day" if {
	input.action == "cancel"
	prorated
	ns("order", "term_end") - ns("order", "purchased_at") < day_ns
}

# ------------------------------------------------------------------ purchase

# R2
permit contains "purchase-by-partner-admin" if {
	input.action == "purchase"
	kind == "partner"
	some r in {"admin_agent", "global_admin"}
	r in roles
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
	"admin_agent" in roles
}

# R5
permit contains "keys-by-customer-admin" if {
	input.action in {"get_keys", "download"}
	kind == "customer"
	some r in {"global_admin", "billing_admin"}
	r in roles
	category == "server_subscription"
	lower(str("actor", "tenant_id")) == lower(str("customer", "tenant_id"))
}

# R6
forbid contains "link-expired" if {
	input.action == "download"
	at >= ns("link", "issued_at") + (14 * day_ns)
}

forbid contains "link-download-limit" if {
	input.action == "download"
	val("link", "downloads") >= 50
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
	r in roles
}

# ------------------------------------------------------------------ cancel

# R9
permit contains "cancel-by-partner-admin-agent" if {
	input.action == "cancel"
	kind == "partner"
	"admin_agent" in roles
}

# R10
forbid contains "cancel-window-closed" if {
	input.action == "cancel"
	at > ns("order", "purchased_at") + (60 * day_ns)
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
	r in roles
	contains(lower(str("product", "name")), "windows server")
	lower(str("product", "edition")) in {"datacenter", "standard"}
	val("license", "software_assurance") == true
}
