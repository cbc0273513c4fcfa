"""Australian customer data: real suburbs with their postcodes, states, phone ranges, time zones."""
from .. import Provider as CustomerProvider

# (suburb, postcode) per state or territory: real localities with their postcodes.
SUBURBS = {
    "NSW": (
        ("Sydney", "2000"), ("Parramatta", "2150"), ("Newcastle", "2300"), ("Wollongong", "2500"),
        ("Penrith", "2750"), ("Blacktown", "2148"), ("Liverpool", "2170"), ("Hornsby", "2077"),
        ("Chatswood", "2067"), ("Bondi", "2026"), ("Manly", "2095"), ("Maitland", "2320"),
        ("Cessnock", "2325"), ("Charlestown", "2290"), ("Merewether", "2291"), ("Hamilton", "2303"),
        ("Lambton", "2299"), ("Kotara", "2289"), ("Belmont", "2280"), ("Toronto", "2283"),
        ("Raymond Terrace", "2324"), ("Nelson Bay", "2315"), ("Gosford", "2250"), ("Tuggerah", "2259"),
        ("Port Macquarie", "2444"), ("Tamworth", "2340"), ("Dubbo", "2830"), ("Orange", "2800"),
        ("Bathurst", "2795"), ("Wagga Wagga", "2650"), ("Albury", "2640"), ("Coffs Harbour", "2450"),
        ("Lismore", "2480"), ("Armidale", "2350"), ("Singleton", "2330"), ("Muswellbrook", "2333"),
        ("Cardiff", "2285"), ("Wallsend", "2287"), ("Mayfield", "2304"), ("Kurri Kurri", "2327"),
        ("Campbelltown", "2560"), ("Castle Hill", "2154"), ("Ryde", "2112"), ("Hurstville", "2220"),
        ("Sutherland", "2232"), ("Cronulla", "2230"), ("Randwick", "2031"), ("Marrickville", "2204"),
        ("Strathfield", "2135"), ("Bankstown", "2200"),
    ),
    "ACT": (
        ("Canberra", "2601"), ("Belconnen", "2617"), ("Bruce", "2617"), ("Gungahlin", "2912"),
        ("Greenway", "2900"), ("Kambah", "2902"), ("Phillip", "2606"), ("Braddon", "2612"),
        ("Kingston", "2604"), ("Dickson", "2602"), ("Weston", "2611"),
    ),
    "VIC": (
        ("Melbourne", "3000"), ("Geelong", "3220"), ("Ballarat", "3350"), ("Bendigo", "3550"),
        ("Frankston", "3199"), ("Dandenong", "3175"), ("Box Hill", "3128"), ("Footscray", "3011"),
        ("St Kilda", "3182"), ("Richmond", "3121"), ("Brunswick", "3056"), ("Preston", "3072"),
        ("Werribee", "3030"), ("Sunbury", "3429"), ("Ringwood", "3134"), ("Glen Waverley", "3150"),
        ("Cranbourne", "3977"), ("Pakenham", "3810"), ("Traralgon", "3844"), ("Shepparton", "3630"),
        ("Mildura", "3500"), ("Warrnambool", "3280"), ("Wodonga", "3690"), ("Craigieburn", "3064"),
        ("Point Cook", "3030"), ("Hawthorn", "3122"), ("Carlton", "3053"), ("Essendon", "3040"),
    ),
    "QLD": (
        ("Brisbane", "4000"), ("Southport", "4215"), ("Surfers Paradise", "4217"), ("Toowoomba", "4350"),
        ("Cairns", "4870"), ("Townsville", "4810"), ("Mackay", "4740"), ("Rockhampton", "4700"),
        ("Bundaberg", "4670"), ("Hervey Bay", "4655"), ("Maroochydore", "4558"), ("Caloundra", "4551"),
        ("Ipswich", "4305"), ("Logan Central", "4114"), ("Springwood", "4127"), ("Chermside", "4032"),
        ("Indooroopilly", "4068"), ("Carindale", "4152"), ("Redcliffe", "4020"), ("Caboolture", "4510"),
        ("Gladstone", "4680"), ("Mount Isa", "4825"), ("Nambour", "4560"), ("Noosa Heads", "4567"),
        ("Robina", "4226"), ("Coorparoo", "4151"), ("Toowong", "4066"), ("Fortitude Valley", "4006"),
    ),
    "SA": (
        ("Adelaide", "5000"), ("Glenelg", "5045"), ("Mount Gambier", "5290"), ("Whyalla", "5600"),
        ("Port Augusta", "5700"), ("Murray Bridge", "5253"), ("Elizabeth", "5112"), ("Salisbury", "5108"),
        ("Modbury", "5092"), ("Norwood", "5067"), ("Prospect", "5082"), ("Unley", "5061"),
        ("Marion", "5043"), ("Noarlunga Centre", "5168"), ("Mawson Lakes", "5095"), ("Port Lincoln", "5606"),
        ("Victor Harbor", "5211"), ("Gawler", "5118"),
    ),
    "WA": (
        ("Perth", "6000"), ("Fremantle", "6160"), ("Joondalup", "6027"), ("Rockingham", "6168"),
        ("Mandurah", "6210"), ("Bunbury", "6230"), ("Geraldton", "6530"), ("Kalgoorlie", "6430"),
        ("Albany", "6330"), ("Midland", "6056"), ("Armadale", "6112"), ("Subiaco", "6008"),
        ("Scarborough", "6019"), ("Cannington", "6107"), ("Morley", "6062"), ("Busselton", "6280"),
    ),
    "TAS": (
        ("Hobart", "7000"), ("Launceston", "7250"), ("Devonport", "7310"), ("Burnie", "7320"),
        ("Kingston", "7050"), ("Glenorchy", "7010"), ("Sandy Bay", "7005"), ("Ulverstone", "7315"),
        ("Rosny Park", "7018"), ("Sorell", "7172"),
    ),
    "NT": (
        ("Darwin", "0800"), ("Palmerston", "0830"), ("Casuarina", "0810"), ("Alice Springs", "0870"),
        ("Katherine", "0850"), ("Nightcliff", "0810"), ("Stuart Park", "0820"), ("Tennant Creek", "0860"),
    ),
}

# Postcode ranges allocated to each state or territory (inclusive), by Australia Post's scheme.
POSTCODE_RANGES = {
    "NSW": ((1000, 2599), (2619, 2899), (2921, 2999)),
    "ACT": ((200, 299), (2600, 2618), (2900, 2920)),
    "VIC": ((3000, 3999), (8000, 8999)),
    "QLD": ((4000, 4999), (9000, 9999)),
    "SA": ((5000, 5999),),
    "WA": ((6000, 6999),),
    "TAS": ((7000, 7999),),
    "NT": ((800, 999),),
}

TIMEZONES = {
    "NSW": "Australia/Sydney", "ACT": "Australia/Sydney", "VIC": "Australia/Melbourne",
    "QLD": "Australia/Brisbane", "SA": "Australia/Adelaide", "WA": "Australia/Perth",
    "TAS": "Australia/Hobart", "NT": "Australia/Darwin",
}

AREA_CODES = {"NSW": "02", "ACT": "02", "VIC": "03", "TAS": "03", "QLD": "07", "SA": "08", "WA": "08", "NT": "08"}


class Provider(CustomerProvider):
    suburbs = SUBURBS
    postcode_ranges = POSTCODE_RANGES
    timezones = TIMEZONES
    area_codes = AREA_CODES
    # Where the case study's customers live (a NSW/QLD retailer growing into VIC and SA).
    state_weights = {"NSW": 0.52, "QLD": 0.22, "VIC": 0.12, "SA": 0.06, "ACT": 0.04, "WA": 0.015,
                     "TAS": 0.015, "NT": 0.01}
    # ACMA's fictitious-number ranges (see helpers.tables): landlines 0X 5550 xxxx and 0X 7010 xxxx.
    landline_exchanges = ("5550", "7010")
    mobile_prefix = "0491 57"
    email_domains = ("example.com", "example.net", "example.org")
    email_formats = ("{first}.{last}", "{first}{last}", "{f}.{last}", "{first}_{last}", "{first}.{last}{nn}",
                     "{last}.{first}", "{f}{last}{nn}")
    unit_share = 0.18
    po_box_share = 0.12
    data_sources = ("online sign-up", "phone sale", "comparison website", "door-to-door (legacy)",
                    "retail partner", "referral", "business broker")
    data_source_weights = (0.38, 0.27, 0.15, 0.04, 0.06, 0.06, 0.04)
    consent_sources = ("web form", "call recording", "sign-up form", "email link", "SMS reply", "paper form")
    street_suffixes = {"Street": 0.36, "Road": 0.16, "Avenue": 0.1, "Drive": 0.08, "Crescent": 0.05, "Close": 0.04,
                       "Place": 0.05, "Court": 0.04, "Parade": 0.03, "Lane": 0.03, "Way": 0.02, "Terrace": 0.02,
                       "Circuit": 0.01, "Grove": 0.01}
    business_trades = ("Plumbing", "Electrical", "Cafe", "Bakery", "Landscaping", "Accounting", "Physiotherapy",
                       "Motors", "Hair Studio", "Dental", "Joinery", "Cleaning Services", "Auto Repairs",
                       "Pharmacy", "Fitness", "Legal", "Building Services", "Florist", "Veterinary Clinic",
                       "Printing", "Transport", "Cabinets", "Roofing", "Takeaway")
    business_formats = ("{last} {trade} Pty Ltd", "{last} & {other} {trade}", "{suburb} {trade}",
                        "{last} {trade}", "{suburb} {trade} Pty Ltd")
