//! Constant tables the generator draws from: markets, roles, products, names.

/// The seed's 109 Azure-reservation unavailable markets as `(ISO code, display name)`.
/// Bonaire, Saba and Sint Eustatius share `BQ`; Svalbard and Jan Mayen share `SJ`.
#[rustfmt::skip]
pub const UNAVAILABLE_MARKETS: [(&str, &str); 109] = [
    ("AX", "Aland Islands"), ("AS", "American Samoa"), ("AD", "Andorra"), ("AI", "Anguilla"),
    ("AQ", "Antarctica"), ("AG", "Antigua and Barbuda"), ("AW", "Aruba"), ("AZ", "Azerbaijan"),
    ("BJ", "Benin"), ("BT", "Bhutan"), ("BQ", "Bonaire"), ("BV", "Bouvet Island"),
    ("IO", "British Indian Ocean Territory"), ("VG", "British Virgin Islands"),
    ("BF", "Burkina Faso"), ("BI", "Burundi"), ("KH", "Cambodia"),
    ("CF", "Central African Republic"), ("TD", "Chad"), ("CN", "China"),
    ("CX", "Christmas Island"), ("CC", "Cocos (Keeling) Islands"), ("KM", "Comoros"),
    ("CG", "Congo"), ("CD", "Congo (DRC)"), ("CK", "Cook Islands"), ("DJ", "Djibouti"),
    ("DM", "Dominica"), ("GQ", "Equatorial Guinea"), ("ER", "Eritrea"),
    ("FK", "Falkland Islands"), ("GF", "French Guiana"), ("PF", "French Polynesia"),
    ("TF", "French Southern Territories"), ("GA", "Gabon"), ("GM", "Gambia"),
    ("GI", "Gibraltar"), ("GL", "Greenland"), ("GD", "Grenada"), ("GP", "Guadeloupe"),
    ("GU", "Guam"), ("GG", "Guernsey"), ("GN", "Guinea"), ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"), ("HT", "Haiti"), ("HM", "Heard Island and McDonald Islands"),
    ("IM", "Isle of Man"), ("SJ", "Jan Mayen"), ("JE", "Jersey"), ("KI", "Kiribati"),
    ("XK", "Kosovo"), ("LA", "Laos"), ("LS", "Lesotho"), ("LR", "Liberia"),
    ("MG", "Madagascar"), ("MW", "Malawi"), ("MV", "Maldives"), ("ML", "Mali"),
    ("MH", "Marshall Islands"), ("MQ", "Martinique"), ("MR", "Mauritania"), ("YT", "Mayotte"),
    ("FM", "Micronesia"), ("MS", "Montserrat"), ("MZ", "Mozambique"), ("MM", "Myanmar"),
    ("NR", "Nauru"), ("NC", "New Caledonia"), ("NE", "Niger"), ("NU", "Niue"),
    ("NF", "Norfolk Island"), ("MP", "Northern Mariana Islands"), ("PW", "Palau"),
    ("PG", "Papua New Guinea"), ("PN", "Pitcairn Islands"), ("RE", "Reunion"), ("BQ", "Saba"),
    ("BL", "Saint Barthélemy"), ("LC", "Saint Lucia"), ("MF", "Saint Martin"),
    ("PM", "Saint Pierre and Miquelon"), ("VC", "Saint Vincent and the Grenadines"),
    ("WS", "Samoa"), ("SM", "San Marino"), ("ST", "São Tomé and Príncipe"),
    ("SC", "Seychelles"), ("SL", "Sierra Leone"), ("BQ", "Sint Eustatius"),
    ("SX", "Sint Maarten"), ("SB", "Solomon Islands"), ("SO", "Somalia"),
    ("GS", "South Georgia and South Sandwich Islands"), ("SS", "South Sudan"),
    ("SH", "St Helena, Ascension, Tristan da Cunha"), ("SR", "Suriname"), ("SJ", "Svalbard"),
    ("SZ", "Swaziland"), ("TL", "Timor-Leste"), ("TG", "Togo"), ("TK", "Tokelau"),
    ("TO", "Tonga"), ("TC", "Turks and Caicos Islands"), ("TV", "Tuvalu"),
    ("UM", "U.S. Outlying Islands"), ("VU", "Vanuatu"), ("VA", "Vatican City"),
    ("WF", "Wallis and Futuna"), ("YE", "Yemen"),
];

/// Markets where Azure reservations are sold, weighted by how often they appear in traffic.
/// AU and BR are included for the tax-inclusive price fact.
#[rustfmt::skip]
pub const AVAILABLE_MARKETS: [(&str, u64); 40] = [
    ("US", 30), ("GB", 8), ("DE", 8), ("FR", 6), ("JP", 5), ("KR", 5), ("AU", 5), ("BR", 5),
    ("IN", 4), ("CA", 4), ("NL", 3), ("ES", 3), ("IT", 3), ("SE", 2), ("NO", 2), ("DK", 2),
    ("FI", 1), ("PL", 2), ("MX", 2), ("SG", 2), ("NZ", 1), ("IE", 1), ("CH", 2), ("AT", 1),
    ("BE", 1), ("PT", 1), ("ZA", 1), ("AE", 1), ("SA", 1), ("TR", 1), ("IL", 1), ("AR", 1),
    ("CL", 1), ("CO", 1), ("TW", 1), ("HK", 1), ("TH", 1), ("MY", 1), ("ID", 1), ("EG", 1),
];

/// Strings that are neither an ISO 3166-1 alpha-2 code nor a market display name.
pub const UNKNOWN_MARKETS: [&str; 6] = ["ZZ", "AA", "QZ", "Atlantis", "USA", "Middle Earth"];

/// Partner-side roles.
#[rustfmt::skip]
pub const PARTNER_ROLES: [&str; 8] = [
    "admin_agent", "sales_agent", "helpdesk_agent", "global_admin", "account_admin",
    "billing_admin", "referral_admin", "marketing_content_admin",
];

/// Customer-side roles.
pub const CUSTOMER_ROLES: [&str; 3] = ["global_admin", "billing_admin", "user"];

/// Role strings no policy knows.
pub const BAD_ROLES: [&str; 5] = ["superuser", "Admin Agent", "admin-agent", "owner", "root"];

/// Customer display names; each gets a derived domain.
#[rustfmt::skip]
pub const CUSTOMERS: [&str; 12] = [
    "Contoso", "Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys",
    "Wide World Importers", "Woodgrove Bank", "Litware", "Proseware", "Coho Winery",
    "Fourth Coffee", "Lucerne Publishing",
];

/// A product line: `(name, category, publisher, edition)`.
pub type Product = (&'static str, &'static str, &'static str, &'static str);

/// Azure reservations.
pub const RESERVATIONS: [Product; 3] = [
    (
        "Azure Reserved VM Instances D2s v3",
        "azure_reservation",
        "microsoft",
        "",
    ),
    (
        "Azure SQL Database Reserved Capacity",
        "azure_reservation",
        "microsoft",
        "",
    ),
    (
        "Azure Cosmos DB Reserved Capacity",
        "azure_reservation",
        "microsoft",
        "",
    ),
];

/// Server subscriptions.
pub const SERVER_SUBSCRIPTIONS: [Product; 5] = [
    (
        "Windows Server 2022 Datacenter",
        "server_subscription",
        "microsoft",
        "datacenter",
    ),
    (
        "Windows Server 2022 Standard",
        "server_subscription",
        "microsoft",
        "standard",
    ),
    (
        "Windows Server 2019 Datacenter",
        "server_subscription",
        "microsoft",
        "Datacenter",
    ),
    (
        "SQL Server 2022 Standard",
        "server_subscription",
        "microsoft",
        "standard",
    ),
    (
        "SQL Server 2019 Enterprise",
        "server_subscription",
        "microsoft",
        "enterprise",
    ),
];

/// Perpetual software.
pub const PERPETUAL: [Product; 3] = [
    (
        "Windows Server 2022 Standard (perpetual)",
        "perpetual_software",
        "microsoft",
        "standard",
    ),
    (
        "SQL Server 2019 Standard (perpetual)",
        "perpetual_software",
        "microsoft",
        "standard",
    ),
    (
        "Office LTSC Professional Plus 2021",
        "perpetual_software",
        "microsoft",
        "",
    ),
];

/// Software plans; the SUSE and RedHat ones can never be canceled or exchanged.
pub const PLANS: [Product; 5] = [
    (
        "SUSE Linux Enterprise Server Standard",
        "software_plan",
        "suse",
        "",
    ),
    (
        "SUSE Linux Enterprise Server for SAP",
        "software_plan",
        "SUSE",
        "",
    ),
    ("Red Hat Enterprise Linux", "software_plan", "redhat", ""),
    (
        "Red Hat Enterprise Linux for SAP",
        "software_plan",
        "RedHat",
        "",
    ),
    ("Ubuntu Pro", "software_plan", "canonical", ""),
];

/// Products that do not qualify for the Azure Hybrid Benefit.
pub const NOT_HYBRID: [Product; 3] = [
    (
        "Windows Server 2022 Essentials",
        "server_subscription",
        "microsoft",
        "essentials",
    ),
    (
        "SQL Server 2022 Standard",
        "server_subscription",
        "microsoft",
        "standard",
    ),
    (
        "Windows 11 Enterprise",
        "perpetual_software",
        "microsoft",
        "enterprise",
    ),
];

/// Currencies seen on orders.
pub const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "KRW", "JPY"];
