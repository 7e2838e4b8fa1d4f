//! Word lists for fictional people. Surnames are made of fictional stems ("Koe-", "Testi-",
//! "Malli-": test, model) so that no demo person looks like a real one; first names are
//! common Finnish given names, which identify nobody on their own.

pub const FIRST_NAMES: &[&str] = &[
    "Aino",
    "Anna",
    "Elina",
    "Emilia",
    "Hanna",
    "Helena",
    "Iida",
    "Johanna",
    "Katja",
    "Laura",
    "Maria",
    "Minna",
    "Noora",
    "Pirjo",
    "Riikka",
    "Sanna",
    "Satu",
    "Tiina",
    "Ulla",
    "Veera",
    "Aleksi",
    "Antti",
    "Eero",
    "Harri",
    "Jari",
    "Juha",
    "Jukka",
    "Kalle",
    "Markku",
    "Matti",
    "Mikko",
    "Niko",
    "Pasi",
    "Petri",
    "Sami",
    "Teemu",
    "Timo",
    "Ville",
    "Aleksandr",
    "Olena",
];

pub const SURNAME_STEMS: &[&str] = &[
    "Koe",
    "Testi",
    "Malli",
    "Esimerkki",
    "Harjoitus",
    "Kuvitelma",
    "Demo",
    "Leikki",
    "Taru",
    "Haave",
    "Luonnos",
    "Kaava",
    "Kokeilu",
    "Arvio",
    "Otos",
    "Aihio",
];

pub const SURNAME_ENDINGS: &[&str] = &[
    "nen", "lä", "la", "koski", "mäki", "salo", "niemi", "lahti", "vaara", "harju", "järvi",
    "pelto",
];

/// Municipalities of South Karelia with a postal code and a weight (percent of clients).
pub const MUNICIPALITIES: &[(&str, &str, u64)] = &[
    ("Lappeenranta", "53100", 58),
    ("Imatra", "55100", 20),
    ("Parikkala", "59100", 3),
    ("Rautjärvi", "56800", 3),
    ("Ruokolahti", "56100", 3),
    ("Luumäki", "54500", 3),
    ("Lemi", "54710", 2),
    ("Savitaipale", "54800", 3),
    ("Taipalsaari", "54920", 3),
    ("Miehikkälä", "49700", 2),
];

pub const STREETS: &[&str] = &[
    "Koetie",
    "Mallikatu",
    "Esimerkkipolku",
    "Testikuja",
    "Harjoitusraitti",
    "Luonnoskatu",
];

pub const LANGUAGES: &[(&str, u64)] = &[
    ("fi", 82),
    ("ru", 7),
    ("sv", 3),
    ("et", 2),
    ("uk", 3),
    ("ar", 2),
    ("en", 1),
];

pub const ASSESSMENT_CONCLUSIONS: &[&str] = &[
    "Able to work part-time with adjustments; suitable for supported work trials.",
    "Work ability reduced; vocational rehabilitation through Kela recommended.",
    "No obstacle to full-time work or studies once daily rhythm is stable.",
    "Pension investigation recommended; KTT supports daily structure meanwhile.",
];

pub const ASSESSMENT_DETAILS: &[&str] = &[
    "Musculoskeletal strain limits lifting; physiotherapy ongoing (fictional demo text).",
    "Long-term fatigue; sleep rhythm improving with support (fictional demo text).",
    "Concentration difficulties; neuropsychological assessment done (fictional demo text).",
    "Recovering from substance use; outpatient support in place (fictional demo text).",
];

pub const GOALS: &[&str] = &[
    "Daily rhythm and coping at the workshop four days a week.",
    "Practise woodwork and customer service towards a work trial.",
    "Strengthen Finnish skills and find a path to vocational studies.",
    "Build stamina for a pay-subsidised job with walk-alongside support.",
];

pub const ACTIONS: &[&str] = &[
    "Book a work-ability assessment unless a recent one exists",
    "Apply for vocational rehabilitation at Kela",
    "Start a KTT period at the workshop",
    "Update the job-search plan",
    "Arrange a debt counselling appointment",
    "Look into vocational studies starting in autumn",
    "Send the labour-policy statement to Kela",
];

pub const NOTES_SOCIAL: &[&str] = &[
    "Housing situation stable; rent arrears being paid off (fictional demo text).",
    "Client asked for help with finances; referred to the social counsellor (fictional).",
];

pub const NOTES_TE: &[&str] = &[
    "Job-search obligation eased during the KTT period (fictional demo text).",
    "Interested in logistics; forklift course suggested (fictional demo text).",
];

pub const NOTES_KELA: &[&str] = &[
    "Labour market subsidy continues during KTT (fictional demo text).",
    "Rehabilitation allowance application pending (fictional demo text).",
];
