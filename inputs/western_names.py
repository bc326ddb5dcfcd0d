"""Names of the shipped study's projects, policies, supply offers and stockpiles (the `name` column;
reports show `name (id)`).

A real project is named by its facility and company as its sources give them; a generic candidate
or a bookkeeping project by what it is and where; a CRMA policy by its material, stage, share
and basis. Names stay short (about 45 characters): they sit in table cells beside the id.
"""

from __future__ import annotations

# project: (facility, company)
FACILITIES = {
    "mp_mountain_pass_mine": ("Mountain Pass mine", "MP Materials"),
    "mp_mountain_pass_separation": ("Mountain Pass separation", "MP Materials"),
    "mp_heavy_separation": ("Mountain Pass Dy/Tb circuit", "MP Materials"),
    "mp_independence_metal": ("Fort Worth metal", "MP Materials"),
    "mp_independence_magnets": ("Fort Worth magnets", "MP Materials"),
    "mp_independence_apple": ("Fort Worth magnets for Apple", "MP Materials"),
    "mp_10x": ("10X magnet plant", "MP Materials"),
    "vulcan_benson": ("Benson magnet plant", "Vulcan Elements"),
    "usar_stillwater": ("Stillwater magnet plant", "USA Rare Earth"),
    "usar_round_top": ("Round Top mine", "USA Rare Earth"),
    "energy_fuels_white_mesa": ("White Mesa separation", "Energy Fuels"),
    "lynas_seadrift": ("Seadrift Dy/Tb separation", "Lynas"),
    "reelement": ("US magnet recycling", "ReElement"),
    "noveon_san_marcos": ("San Marcos recycled magnets", "Noveon"),
    "evac_sumter": ("Sumter magnet plant", "e-VAC"),
    "niron_sartell": ("Sartell iron nitride plant", "Niron"),
    "hypromag_usa": ("US magnet recycling", "HyProMag USA"),
    "lynas_mt_weld": ("Mt Weld mine", "Lynas"),
    "lynas_kalgoorlie": ("Kalgoorlie cracking", "Lynas"),
    "lynas_malaysia": ("Malaysia separation", "Lynas"),
    "lynas_malaysia_heavy": ("Malaysia Dy/Tb separation", "Lynas"),
    "iluka_eneabba_feed": ("Eneabba monazite feed", "Iluka"),
    "iluka_eneabba_light": ("Eneabba NdPr refinery", "Iluka"),
    "iluka_eneabba_heavy": ("Eneabba Dy/Tb refinery", "Iluka"),
    "arafura_nolans_mine": ("Nolans mine", "Arafura"),
    "arafura_nolans_refinery": ("Nolans NdPr refinery", "Arafura"),
    "arafura_nolans_heavy": ("Nolans Dy/Tb refinery", "Arafura"),
    "neo_sillamae": ("Sillamäe separation", "Neo"),
    "neo_narva": ("Narva magnet plant", "Neo"),
    "vac_eu": ("German and Slovak magnet plants", "VAC"),
    "solvay_la_rochelle": ("La Rochelle separation", "Solvay"),
    "caremag_recycling": ("Lacq recycling", "Caremag"),
    "caremag_heavy": ("Lacq Dy/Tb refining", "Caremag"),
    "hypromag_gmbh": ("German magnet recycling", "HyProMag GmbH"),
    "lkab_lulea_demo": ("Luleå demonstration plant", "LKAB"),
    "lkab_per_geijer": ("Per Geijer mine", "LKAB"),
    "norra_karr": ("Norra Kärr mine", "Leading Edge Materials"),
    "ren_fen": ("Fen mine", "Rare Earths Norway"),
    "reetec_heroya": ("Herøya separation", "REEtec"),
    "hypromag_tyseley": ("Tyseley recycling", "HyProMag"),
    "ionic_belfast": ("Belfast recycling demonstrator", "Ionic"),
    "lcm_metal": ("UK metal and alloys", "Less Common Metals"),
    "src_saskatoon_metal": ("Saskatoon metal", "SRC"),
    "src_saskatoon_separation": ("Saskatoon separation", "SRC"),
    "cyclic_kingston": ("Kingston recycling", "Cyclic Materials"),
    "serra_verde_pela_ema": ("Pela Ema mine", "Serra Verde"),
    "vn_mines": ("Vietnamese mines", "several"),
    "shin_etsu_haiphong_refining": ("Hai Phong refining", "Shin-Etsu"),
    "shin_etsu_haiphong_magnets": ("Hai Phong magnets", "Shin-Etsu"),
    "sgi_vina": ("SGI Vina magnet plant", "Star Group"),
    "jp_magnet_makers": ("Japanese magnet makers", "Shin-Etsu and others"),
    "jp_metal_makers": ("Japanese metal makers", "several"),
    "kr_magnet_makers": ("Korean magnet makers", "Star Group and others"),
    "mm_kachin_mining": ("Kachin mines in Myanmar", "several"),
    "tanbreez": ("Tanbreez mine", "Critical Metals"),
}

# what a generic candidate or bookkeeping project of a technology is
KIND = {"mine_bastnaesite": "mine", "mine_monazite": "mine", "mine_ionic_clay": "mine", "mine_heavy": "mine",
        "sep_light": "separation plant", "sep_heavy": "Dy/Tb separation plant", "metal": "metal plant",
        "ndfeb_sinter": "magnet plant", "recycle_hydro": "scrap-to-oxide plant",
        "recycle_hpms": "scrap-to-magnet plant", "fen_plant": "iron nitride plant",
        "std_from_ndfeb": "NdFeB as standard grade", "std_from_fen": "iron nitride as standard grade"}
WHERE = {"EU": "the EU", "US": "the US", "UK": "the UK", "RW": "the rest of the world"}  # others: the name
MATERIAL = {"NdPr": "NdPr", "DyTb": "Dy/Tb"}


# No commas inside a name: reports list names separated by commas.
def project_name(project: dict, region_names: dict[str, str]) -> str:
    """'Facility (company)' for a real project; 'generic mine in Brazil' or '... (bookkeeping)' otherwise."""
    if project["project"] in FACILITIES:
        return "{} ({})".format(*FACILITIES[project["project"]])
    kind, region = KIND[project["technology"]], project["region"]
    if project["technology"].startswith("std_from"):  # rarely shown: the region id keeps it short
        return f"{kind} in {region} (bookkeeping)"
    return f"generic {kind} in {WHERE.get(region, region_names[region])}"


def policy_name(policy: dict) -> str:
    """'CRMA Dy/Tb extraction benchmark (10 % by output)' or 'CRMA NdPr supplier cap in processing (65 %)'."""
    share, material = f"{policy['share'] * 100:.0f} %", MATERIAL[policy["material"]]
    if policy["kind"] == "max_supplier_share":
        return f"CRMA {material} supplier cap in {policy['stage']} ({share})"
    return f"CRMA {material} {policy['stage']} benchmark ({share} by {policy['basis']})"


# supply offer id without its year -> what it is ({where}: the region's short name)
OFFERS = {"cn_magnet": "Chinese magnet exports", "cn_magnet_extra": "Chinese spare magnet capacity",
          "cn_ndpr_oxide": "Chinese NdPr oxide exports", "cn_ndpr_metal": "Chinese NdPr metal exports",
          "cn_dytb_oxide": "Chinese Dy/Tb oxide exports", "cn_dytb_oxide_spot": "Chinese Dy/Tb oxide at the European ask",
          "scrap": "magnet scrap collected in {where}"}
STOCKED = {"magnet": "magnet", "ndpr_oxide": "NdPr oxide", "dytb_oxide": "Dy/Tb oxide"}


def offer_name(offer: dict, region_names: dict[str, str]) -> str:
    """'Chinese magnet exports 2031' or 'magnet scrap collected in the EU 2031' (one offer a year)."""
    stem = offer["offer"].rsplit("_", 1)[0]
    if stem.startswith("scrap_"):
        stem = "scrap"
    where = WHERE.get(offer["region"], region_names[offer["region"]])
    return f"{OFFERS[stem].format(where=where)} {offer['first_year']}"


def stock_name(stock: dict) -> str:
    """'US strategic magnet stockpile'."""
    return f"{stock['region']} strategic {STOCKED[stock['commodity']]} stockpile"
