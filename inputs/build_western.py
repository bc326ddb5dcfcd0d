"""Write inputs/western_ree_2040.xlsx: the shipped study of the Western NdFeB magnet chain, 2025-2040.

Every number comes from a published source (the project's sourced data set of facilities, costs,
prices, demand, content, policy and shares) and carries a `source` id listed in the `sources` sheet;
a figure that is derived or assumed says so in its `note` ("estimate: ...").

    python inputs/build_western.py        # rewrites inputs/western_ree_2040.xlsx

How the chain is represented (all within the workbook contract):

* Materials NdPr and DyTb, in tonnes of oxide equivalent. Concentrate is carried as two
  commodities, the NdPr and the Dy/Tb it contains; each mining technology (deposit type) yields
  Dy/Tb in a fixed ratio to NdPr.
* mine -> (Kalgoorlie cracking -> Lynas Malaysia) or separation -> NdPr oxide / Dy-Tb oxide
  -> NdPr metal -> sintered NdFeB magnet; end-of-life scrap -> oxide (hydrometallurgy) or
  -> magnet (short-loop HPMS); iron nitride plants make rare-earth-free magnets.
* Demand is split into high-performance magnets (`magnet`, only sintered NdFeB serves it) and
  standard-grade magnet duty (`std_magnet`), served by NdFeB or by iron nitride through two
  accounting technologies (`std_from_ndfeb`, `std_from_fen`) in every demand region.
* China is represented by its export offers (supply rows in region CN, one per year and
  tranche), not by projects: a Chinese plant could otherwise ship round an export ban, because
  routes have no year. China's own consumption (~115 kt of magnets in 2024) is outside the model.
* Every project, policy, supply offer and stockpile has a `name` (inputs/western_names.py: facility
  and company, "generic mine in Brazil", "CRMA Dy/Tb extraction benchmark (10 % by output)",
  "Chinese magnet exports 2031", "US strategic magnet stockpile"); reports show `name (id)`.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Font

from model.write.workbook import write_study
from western_names import offer_name, policy_name, project_name, stock_name

FIRST, LAST = 2025, 2040
YEARS = range(FIRST, LAST + 1)
AUD = 0.67  # USD per Australian dollar (data/README.md)

# ------------------------------------------------------------------ sources
SOURCES = {
    "usgs_mcs_2025": ("Mineral Commodity Summaries 2025: Rare Earths (data release)", "U.S. Geological Survey", 2025,
                      "https://doi.org/10.5066/P13XCP3R"),
    "iea_gcmo_2024": ("Global Critical Minerals Outlook 2024 (summary by SEAISI)", "International Energy Agency", 2024,
                      "https://seaisi.org/details/24787?type=news-rooms"),
    "iea_gcmo_2025": ("Global Critical Minerals Outlook 2025 (STEPS summary)", "International Energy Agency", 2025,
                      "https://hotcopper.co.nz/goto/post?id=79380286"),
    "adamas_outlook_2040": ("Rare Earth Magnet Market Outlook to 2040", "Adamas Intelligence", 2024,
                            "https://adamasintel.com/rare-earth/rare-earth-magnet-market-outlook-to-2040"),
    "adamas_exports_2024": ("Record rare earth magnet exports from China in 2024", "Adamas Intelligence", 2025,
                            "https://www.adamasintel.com/record-rare-earth-magnet-exports-from-china-in-2024/"),
    "adamas_dy_2026": ("The fallacy of European rare earth prices", "Adamas Intelligence", 2026,
                       "https://www.adamasintel.com/the-fallacy-of-european-rare-earth-prices-and-the-pras-that-promote-them"),
    "lynas_asx_2022": ("Lynas ASX release on magnet demand (2020 base 130 kt, 2030 265 kt)", "Lynas Rare Earths via sh-re.com",
                       2022, "http://en.sh-re.com/news_view.aspx?fid=t2%3A28%3A2&id=1615&typeid=28"),
    "eca_2026": ("EU faces major reliance on China for critical minerals, auditors warn (European Court of Auditors)",
                 "Plataforma Media", 2026,
                 "https://www.plataformamedia.com/en/2026/02/03/eu-faces-major-reliance-on-china-for-critical-minerals-auditors-warn"),
    "argus_ndfeb_2025": ("China NdFeB output capacity to grow on strong demand", "Argus Media", 2025,
                         "https://www.argusmedia.com/metals-platform/newsandanalysis/article/2696348"),
    "mp_10k_2024": ("MP Materials Form 10-K for fiscal year 2024", "MP Materials / SEC", 2025,
                    "https://www.sec.gov/Archives/edgar/data/1801368/000180136825000009/mp-20241231.htm"),
    "mp_10k_2021": ("MP Materials Form 10-K FY2021: estimated distribution of TREO content", "MP Materials / SEC", 2022,
                    "https://content.edgar-online.com/ExternalLink/EDGAR/0001801368-22-000010.html"),
    "mp_dod_8k_2025": ("MP Materials 8-K on the Department of Defense partnership (summary)", "StockTitan", 2025,
                       "https://www.stocktitan.net/sec-filings/MP/8-k-mp-materials-corp-reports-material-event-09e507ca127b.html"),
    "ns_energy_mp_2025": ("MP Materials, DoD partner to build US rare earth magnet supply chain", "NS Energy", 2025,
                          "https://www.nsenergybusiness.com/news/mp-materials-dod-partner-to-build-us-rare-earth-magnet-supply-chain/"),
    "industrial_heating_2022": ("Construction begins on rare earth manufacturing facility in Texas", "Industrial Heating",
                                2022, "https://www.industrialheating.com/articles/96976-construction-begins-on-rare-earth-manufacturing-facility-in-texas"),
    "fortworth_inc_2025": ("MP Materials restores U.S. rare earth magnet production in Fort Worth", "Fort Worth Inc", 2025,
                           "https://fortworthinc.com/news/mp-materials-restores-u-s-rare-earth-magnet-production-in-fo/"),
    "emj_mtweld_2022": ("Lynas announces $500M Mt Weld expansion", "E&MJ", 2022,
                        "https://www.e-mj.com/news/australia-and-oceania/lynas-announces-500m-mt-weld-expansion/"),
    "afr_kalgoorlie_2022": ("Key deadline looms for Lynas $575m processing plant", "Australian Financial Review", 2022,
                            "https://www.afr.com/companies/mining/lynas-looks-for-relief-in-countdown-to-rare-earths-deadline-20221113-p5bxr1"),
    "afr_lynas_2023": ("Lynas to temporarily shut and upgrade (AFR)", "fvbb.com", 2023,
                       "https://fvbb.com/ns/lynas-to-temporarily-shut-and-upgrade/137775"),
    "lynas_heavy_2025": ("Lynas deepens Malaysia roots with US$120 million rare earth expansion (Reuters-based)",
                         "lcdproduct.com", 2025, "https://lcdproduct.com/?p=30090"),
    "iluka_eneabba_2024": ("Australian government delivers $1.65b for Eneabba rare earths", "Mining Magazine Australia",
                           2024, "https://miningmagazine.com.au/australian-government-delivers-1-65b-for-eneabba-rare-earths/"),
    "arafura_nolans_2021": ("Arafura aims for Nolans FID in 2022", "Mining Weekly", 2021,
                            "https://www.miningweekly.com/print-version/arafura-aims-for-nolans-fid-in-2022-2021-05-11"),
    "arafura_bnwa_2024": ("Arafura pursues FID on Nolans project", "Business News WA", 2024,
                          "https://www.businessnews.com.au/article/Arafura-pursues-FID-on-Nolans-project"),
    "energy_fuels_2024": ("Energy Fuels achieves commercial production of separated rare earths at White Mesa",
                          "Engineering News", 2024,
                          "https://engineeringnews.co.za/print-version/energy-fuels-achieves-commercial-production-of-separated-rare-earths-at-white-mesa-2024-06-11"),
    "usar_stillwater_2024": ("USA Rare Earth produces first batch of magnets at Oklahoma plant", "Minelistings", 2024,
                             "https://minelistings.com/mine-news/usa-rare-earth-produces-first-batch-of-magnets-at-oklahoma-plant"),
    "usar_roundtop_2025": ("USA Rare Earth advances commercial output plans", "The Northern Miner", 2025,
                           "https://secure.northernminer.com/news/usa-rare-earth-advances-commercial-output-plans/1003885545"),
    "usar_lcm_2025": ("USA Rare Earth acquired Less Common Metals for $100 million", "Reportify", 2025,
                      "https://reportify.ai/news/1212673680996569088"),
    "vulcan_2025": ("Vulcan Elements selects Benson, North Carolina for magnet facility", "Manufacturing Dive", 2025,
                    "https://www.manufacturingdive.com/news/vulcan-elements-benson-north-carolina-magnet-facility-defense-rare-earth/806075"),
    "noveon_2023": ("Noveon targets rare earth magnet manufacturing using recycled material", "Recycling Today", 2023,
                    "https://recyclingtoday.com/news/noveon-targets-rare-earth-magnet-manufacturing-using-recycled-material/"),
    "evac_sumter_2024": ("Sumter's new eVAC plant gets $111M in tax credits", "The Sumter Item", 2024,
                         "http://www.theitem.com/stories/sumters-new-evac-plant-gets-111m-in-tax-credits,414029"),
    "evac_fastmarkets_2023": ("E-Vac to build rare earth magnet plant in South Carolina", "Fastmarkets", 2023,
                              "https://fastmarkets.com/insights/e-vac-to-build-rare-earth-magnet-plant-in-south-carolina"),
    "seadrift_2023": ("DOD to invest $258M in Texas REE plant", "Metal Tech News", 2023,
                      "https://www.metaltechnews.com/story/2023/08/02/tech-metals/dod-to-invest-258m-in-texas-ree-plant/1402.html"),
    "seadrift_2025": ("Lynas flags Texas rare earths plant uncertainty", "The Northern Miner", 2025,
                      "https://secure.northernminer.com/news/lynas-flags-texas-rare-earths-plant-uncertainty/1003882176"),
    "solvay_2025": ("Solvay advances European rare earths production through capacity expansion", "Automotive World",
                    2025, "https://www.automotiveworld.com/news-releases/solvay-advances-european-rare-earths-production-through-capacity-expansion/"),
    "specchem_solvay_2025": ("Solvay rare earths La Rochelle (full-scale investment)", "Specchem Online", 2025,
                             "https://specchemonline.com/node/10107"),
    "caremag_2025": ("France: Carester launches rare earth recycling plant in Lacq with EUR 216 mn funding",
                     "Energynews.pro", 2025,
                     "https://energynews.pro/en/france-carester-launches-rare-earth-recycling-plant-in-lacq-with-e216-mn-funding/"),
    "narva_2024": ("Neo Performance Materials lands $50M for Estonia's next-gen magnet factory", "Invest in Estonia", 2024,
                   "https://investinestonia.com/neo-performance-materials-lands-50m-for-estonias-next-gen-magnet-factory/"),
    "narva_2023": ("Estonia: New Magnet Factory", "Global Recycling Magazine", 2023, "https://global-recycling.info/archives/8442"),
    "tyseley_2026": ("Mkango, HyProMag and University of Birmingham open the Tyseley rare earth magnet recycling plant",
                     "Project Blue", 2026, "https://projectblue.com/blue/news-analysis/1403/"),
    "tyseley_2023": ("Birmingham to become UK's first centre for rare earth magnet recycling", "Circular Online", 2023,
                     "https://circularonline.co.uk/news/birmingham-to-become-uks-first-centre-for-rare-earth-magnet-recycling"),
    "hypromag_2023": ("HyProMag deal sees rare earth magnet recycling in the UK and Germany", "eeNews Europe", 2023,
                      "https://www.eenewseurope.com/en/hypromag-deal-sees-rare-earth-magnet-recycling-in-the-uk-and-germany/"),
    "hypromag_usa_2023": ("Purchase of rare earth recycling company (HyProMag USA)", "Metal Powder Report", 2023,
                          "https://www.metalpowderreport.com/content/news/purchase-of-rare-earth-recycling-company"),
    "niron_2025": ("Niron Magnetics breaks ground on rare-earth-free magnet facility in Minnesota", "Indian Chemical News",
                   2025, "https://www.indianchemicalnews.com/general/lite/niron-magnetics-breaks-ground-on-rare-earth-free-magnet-facility-in-minnesota-27697"),
    "cyclic_mesa_2025": ("Cyclic Materials invests over $20M in Mesa facility", "InBusiness PHX", 2025,
                         "https://inbusinessphx.com/?p=186154"),
    "cyclic_kingston_2025": ("Cyclic Materials rare earth magnet recycling, Ontario", "Waste Dive", 2025,
                             "https://gcp.wastedive.com/news/cyclic-materials-rare-earth-magnet-recycling-ontario-canada/750554"),
    "ionic_2024": ("Magnet recycling: Ionic begins full-scale rare earth oxide production", "RawMaterials.net", 2024,
                   "https://rawmaterials.net/magnet-recycling-ionic-begins-full-scale-rare-earth-oxide-production/"),
    "lkab_2024": ("LKAB could meet 18% of Europe rare earth demand", "Mining Technology", 2024,
                  "https://mining-technology.com/?p=682649"),
    "fdi_sweden_2023": ("Sweden ignites northern Europe's rare earth cluster", "fDi Intelligence", 2023,
                        "https://www.fdiintelligence.com/content/feature/sweden-ignites-northern-europes-rare-earth-cluster-82020"),
    "reetec_2022": ("LKAB invests in a factory in Norway to refine rare earth metals (SVT)", "Teller Report", 2022,
                    "https://www.tellerreport.com/news/2022-11-08-lkab-invests-in-a-factory-in-norway---to-refine-rare-earth-metals.B1tutk_ro.html"),
    "fen_2024": ("Rare Earths Norway says Fen hosts continental Europe's largest REE deposit", "Mining.com", 2024,
                 "https://mining.com/?p=1152474"),
    "serra_verde_2024": ("Serra Verde begins commercial production of MREC from Pela Ema Phase I", "NS Energy", 2024,
                         "https://www.nsenergybusiness.com/news/serra-verde-begins-commercial-production-of-mrec-from-pela-ema-phase-i/"),
    "serra_verde_dfc_2025": ("DFC financing for Serra Verde (FT-based)", "Wedoany", 2025, "https://en.wedoany.com/shortnews/70713.html"),
    "src_2024": ("SRC rare earth facility produces metals", "Canadian Mining Journal", 2024,
                 "https://canadianminingjournal.com/?p=1003772296"),
    "tanbreez_2025": ("GreenMet and Critical Metals partner to develop Greenland's Tanbreez rare earth project", "Metals Wire",
                      2025, "https://metals-wire.net/news/greenmet-and-critical-metals-partner-to-develop-greenlands-tanbreez-rare-earth-project/"),
    "shinetsu_vn_2012": ("Shin-Etsu plans rare earths plant in Vietnam", "C&EN", 2012,
                         "https://cen.acs.org/articles/90/i5/Shin-Etsu-Plans-Rare-Earths.html"),
    "shinetsu_vn_2014": ("Shin-Etsu to make magnets in Vietnam", "C&EN", 2014,
                         "https://cen.acs.org/articles/92/i17/Shin-Etsu-Make-Magnets-Vietnam.html"),
    "sgi_vn_2025": ("Magnet manufacturing (SGI Vina, Vietnam)", "Rare Earth Exchanges", 2025,
                    "https://rareearthexchanges.com/news/magnet-manufacturing"),
    "vietnam_gov_2023": ("Rare earths magnet firms turn to Viet Nam (Reuters)", "Vietnam Government portal", 2023,
                         "https://en.baochinhphu.vn/rare-earths-magnet-firms-turn-to-viet-nam-reuters-111230824095156757.htm"),
    "magnetics_mag_2018": ("Production of rare earth magnets soars in China, says new market report", "Magnetics Magazine",
                           2018, "https://magneticsmag.com/production-of-rare-earth-magnets-soars-in-china-says-new-market-report/"),
    "korea_2023": ("Vietnam new source for rare earths magnet companies (Reuters)", "The Investor", 2023,
                   "https://theinvestor.vn/news/vietnam-new-source-for-rare-earths-magnet-companies-d6320.amp"),
    "sojitz_jare_2022": ("JARE supports Lynas development with additional equity investment", "Sojitz", 2022,
                         "https://www.sojitz.com/en/news/2022/09/20220920.php"),
    "jogmec_2023": ("METI/JOGMEC investment in Lynas heavy rare earths", "IRuniverse", 2023,
                    "https://www.iru-miru.com/en/article_detail.php?id=58546"),
    "crma_2024": ("Regulation (EU) 2024/1252 (Critical Raw Materials Act)", "Official Journal of the European Union", 2024,
                  "https://eur-lex.europa.eu/eli/reg/2024/1252/oj"),
    "china_no18_2025": ("China imposes export controls on medium and heavy rare earth materials", "Holland & Knight", 2025,
                        "https://hklaw.com/en/insights/publications/2025/04/china-imposes-export-controls-on-medium-and-heavy-rare-earth-materials"),
    "china_magnet_drop_2025": ("U.S. backs domestic magnet supply with $400M investment (China magnet exports -75 %)",
                               "Stock-market.news", 2025, "https://stock-market.news/?p=3478"),
    "china_no61_2025": ("China expands rare earth export controls and adds 14 entities to the Unreliable Entity List",
                        "Crowell & Moring", 2025,
                        "https://www.cmtradelaw.com/2025/10/china-expands-rare-earth-export-controls-and-adds-14-entities-to-the-unreliable-entity-list/"),
    "fastmarkets_2024": ("China rare earth prices turn higher as sellers insist on higher prices", "Fastmarkets", 2024,
                         "https://www.fastmarkets.com/insights/china-rare-earth-prices-turn-higher-as-sellers-insist-on-higher-prices/"),
    "reuters_prices_2026": ("Rare earths surge above price floor given to MP Materials (Reuters)", "tradingstocksnow", 2026,
                            "https://www.tradingstocksnow.com/?p=20543"),
    "argus_dytb_2025": ("European Dy and Tb oxide prices (Argus)", "GMTEight", 2025, "https://gmteight.com/latest/detail/282683"),
    "mp_concentrate_2024": ("MP Materials sees significant boost in sales (concentrate price)", "Metalnomist", 2024,
                            "https://metalnomist.com/2024/08/mp-materials-sees-significant-boost-in.html"),
    "magnet_composition": ("What are the ingredients of NdFeB magnets (FAQ)", "Courage Magnet", None,
                           "http://www.couragemagnet.com/faq/324.html"),
    "ustr_301_2024": ("Biden finalizes tariff increases (USTR Section 301 four-year review)", "Policy Risk Report", 2024,
                      "https://www.policyriskreport.com/p/biden-finalizes-tariff-increases"),
    "spglobal_leadtime_2023": ("Discovery to production averages 15.7 years for 127 mines", "S&P Global Market Intelligence",
                               2023, "https://spglobal.com/marketintelligence/en/news-insights/research/discovery-to-production-averages-15-7-years-for-127-mines"),
    "obbba_2025": ("One Big Beautiful Bill Act becomes law, expands funding for U.S. critical minerals stockpile",
                   "RawMaterials.net", 2025,
                   "https://rawmaterials.net/one-big-beautiful-bill-act-becomes-law-expands-funding-for-u-s-critical-minerals-stockpile/"),
    "miit_horizon_2022": ("China NdFeB magnet output and market in 2021 (MIIT data)", "Horizon Magnets", 2022,
                          "https://www.horizonmagnets.com/blog/china-ndfeb-magnet-output-and-market-in-2021-interests-downstream-application-manufacturers/"),
    "sillamae_2025": ("Neo opens Europe's first rare earth magnet plant in Estonia", "Chatnewstv", 2025,
                      "https://chatnewstv.com/neo-opens-europes-first-rare-earth-magnet-plant-in-estonia-creating-500000-plus-jobs/"),
    "mp_results_2025": ("MP Materials reports fourth quarter and full year 2025 results", "Investing News Network", 2026,
                        "https://investingnews.com/mp-materials-reports-fourth-quarter-and-full-year-2025-results/"),
    "mp_10q_q3_2025": ("MP Materials Form 10-Q Q3 2025 (summary: ceased sales to China in July 2025)", "StockTitan", 2025,
                       "https://www.stocktitan.net/sec-filings/MP/10-q-mp-materials-corp-de-quarterly-earnings-report-16dafd0f3557.html"),
    "lynas_fy25": ("Lynas posts A$556M revenue, raises A$750M (FY25 NdPr production 6,558 t)", "The Middle News", 2025,
                   "https://www.middle.news/articles/2025/08/27/lynas-accelerates-rare-earths-growth-with-record-production-and-750m-raise"),
    "ier_mp_2025": ("U.S. Defense Department takes a stake in a rare earth company", "Institute for Energy Research", 2025,
                    "https://www.instituteforenergyresearch.org/regulation/u-s-defense-department-takes-a-stake-in-a-rare-earth-company"),
    "apple_mp_2025": ("MP Materials and the US Department of Defence partner (incl. Apple USD 500m recycled-magnet deal)",
                      "Project Blue", 2025, "https://www.projectblue.com/blue/news-analysis/1257/"),
    "pillsbury_2025": ("China suspends export controls on certain critical minerals-related items", "Pillsbury", 2025,
                       "https://www.pillsburylaw.com/en/news-and-insights/china-suspends-export-controls-certain-critical-minerals-related-items.html"),
    "csis_45x_2024": ("U.S. Department of Treasury releases final ruling on Section 45X", "CSIS", 2024,
                      "https://www.csis.org/analysis/us-department-treasury-releases-final-ruling-section-45x"),
    "estimate": ("reeplan study estimates: each row's note says how the figure was derived", "reeplan", 2026,
                 "inputs/build_western.py (this repository)"),
}

# ------------------------------------------------------------------ chain constants
# content.csv: sintered NdFeB ~29 wt% NdPr metal; 1 t metal = 1/0.85 t oxide; 95 % net plant yield
NDPR_PER_MAGNET = 0.34  # 0.29 x 1.176
DYTB_PER_MAGNET = 0.016  # 2,500 t Dy oxide on 185 kt magnets (0.0135) + Tb ~0.3 wt% on EV grades
OXIDE_PER_METAL = 1.20
METAL_PER_MAGNET = 0.305  # 0.29 / 0.95
DYTB_OXIDE_PER_MAGNET = 0.017  # 0.016 / 0.95
FEN_PER_NDFEB = 1.5  # t iron nitride replacing 1 t NdFeB (content.csv: 1.3-2, estimate)

# var_cost_usd_per_t of sintered-magnet conversion by region (costs.csv: China USD 25/kg,
# Western 2-3x = USD 50-75/kg, estimate); capex per t/yr (costs.csv)
MAGNET_VAR = {"US": 60000, "CA": 60000, "AU": 60000, "EU": 50000, "UK": 50000, "NO": 50000, "BR": 50000,
              "JP": 30000, "KR": 32000, "VN": 32000, "MY": 32000, "RW": 32000}
MAGNET_CAPEX = {"US": 120000, "CA": 120000, "AU": 120000, "EU": 55000, "UK": 55000, "NO": 55000, "BR": 55000,
                "JP": 55000, "KR": 20000, "VN": 20000, "MY": 20000, "RW": 20000}
VAR = {"mine": 15000, "crack": 8000, "sep": 25000, "sep_mixed": 17000, "sep_heavy": 100000, "metal": 8000,
       "fen": 50000, "hydro": 15000, "hpms": 45000}
VAR_NOTE = {
    "mine": "estimate: Nolans FS opex A$46.60/kg NdPr = USD 31/kg mine-to-oxide, raised to ~USD 40/kg because "
            "Western producers were near break-even at USD 50-55/kg (Fastmarkets 2024); ~40 % mine/concentrator",
    "crack": "estimate: ~20 % of the USD 40/kg mine-to-oxide cost for cracking and leaching",
    "sep": "estimate: ~60 % of the USD 40/kg mine-to-oxide cost for cracking and solvent extraction",
    "sep_mixed": "estimate: separation of pre-cracked feed, USD 25/kg less the Kalgoorlie share",
    "sep_heavy": "estimate: ~30 % of the blended Dy/Tb oxide price of USD 348/kg",
    "metal": "estimate: twice China's ~USD 3-5/kg oxide-to-metal conversion cost (costs.csv, Fastmarkets spread)",
    "magnet": "estimate: conversion cost excluding rare earths; China USD 25/kg (costs.csv), Western 2-3x "
              "(US/CA/AU 60, EU/UK 50); Japan 30 (incumbent, depreciated); other Asian makers 32 (~30 % above China, "
              "smaller scale)",
    "fen": "estimate: no data; taken as a Western sintered plant's conversion cost (no rare-earth input)",
    "hydro": "estimate: no recycling opex found; USD 15/kg of magnet feed",
    "hpms": "estimate: costs.csv suggests 60-80 % of a primary magnet's cost; 70 % of ~USD 70/kg x 0.9 yield",
}

# China's NdPr oxide price path, USD/t (domestic benchmark incl. VAT, prices.csv). Chinese export
# offers stand at it, Chinese buyers of Western oxide pay it ex-VAT, concentrate and magnets follow it.
CN_NDPR = {2025: 66000, 2026: 100000}
CN_NDPR_LONG = 75000
CN_NDPR_NOTE = {
    2025: "reported points of 2025: 47 (Mar), 63 (Jul), 87 (Aug) USD/kg [reuters_prices_2026]; mean 66",
    2026: "estimate: 123 USD/kg on 18 Feb 2026 (Reuters) with the correction Benchmark expects; 100 as the year's mean",
    "long": "estimate: 75 USD/kg from 2027, between the 2024 trough (48-51, Fastmarkets/Lynas ex-VAT) and the "
            "Feb 2026 high (123); Chinese cash cost 45-55 (costs.csv) plus a scarcity margin; varied in the sensitivity run",
}
VAT = 1.13  # Chinese domestic prices include 13 % VAT (data README); Western sellers realise ex-VAT
CONC_RATIO = 0.55  # concentrate value / oxide value: MP USD 4.18/kg REO / 0.157 NdPr = 26.6 vs oxide 48-51 (Q2 2024)
DYTB_BASE = 348000  # blend 84 % Dy at USD 224/kg (Adamas 2025) + 16 % Tb ~USD 1,000/kg (Argus pre-April 2025)
DYTB_ASK_2025 = 1194000  # European asks May 2025: Dy 700-1,000 (850), Tb 2,000-4,000 (3,000) blended 84/16 (Argus)
MAGNET_2024, NDPR_2024 = 49000, 54000  # China export magnet USD 49/kg (Adamas) at oxide USD 53-55 (Fastmarkets Apr 2024)


def cn_ndpr(y: int) -> float:
    """China's NdPr oxide price in year y, USD/t."""
    return CN_NDPR.get(y, CN_NDPR_LONG)


def cn_magnet(y: int) -> float:
    """Chinese export magnet price: the 2024 USD 49/kg moved by the NdPr oxide in a tonne of magnet (0.366 t)."""
    return MAGNET_2024 + 0.366 * (cn_ndpr(y) - NDPR_2024)


# Fixed O&M and availability (no source in the data for either: estimates by stage, stated in notes)
FIXED_OM_SHARE = 0.03  # a year, of capex: engineering rule of thumb 2-5 % for chemical and mining plants
STAGE_CAPEX = {"mine": 69000, "crack": 37000, "sep": 120000, "sep_mixed": 60000, "sep_heavy": 240000,
               "metal": 30000, "fen": 100000, "hydro": 50000, "hpms": 29000}  # costs.csv, per t/yr
AVAILABILITY = 0.9  # plants: 90 % of nameplate usable (maintenance, campaigns); mines: capacity stated as output
OM_NOTE = ("fixed O&M 3 % of capex a year (estimate: rule of thumb 2-5 %, no source in the data; existing plants "
           "at the stage's capex in costs.csv); availability {a:.0%} (estimate{why})")

# ------------------------------------------------------------------ demand (demand.csv)
REGION_2024 = {  # t finished NdFeB magnet, 2024
    "EU": (20000, "eca_2026", "reported: European Court of Auditors, 20,000 t used by EU industry in 2024"),
    "US": (15000, "adamas_outlook_2040", "estimate: regional split normalised to a 185 kt world (demand.csv)"),
    "JP": (12000, "adamas_outlook_2040", "estimate: regional split normalised to a 185 kt world (demand.csv)"),
    "KR": (6000, "adamas_outlook_2040", "estimate: regional split normalised to a 185 kt world (demand.csv)"),
    "UK": (1500, "adamas_outlook_2040", "estimate: regional split normalised to a 185 kt world (demand.csv)"),
    "RW": (15500, "adamas_outlook_2040", "estimate: regional split (VN, TH, MX, IN, BR, CA ...) normalised to 185 kt"),
}
WORLD_2024 = 185000.0


def world_base(y: int) -> float:
    """IEA-APS-consistent world magnet demand (demand.csv low case): 185 kt 2024, 250 kt 2030, 310 kt 2040."""
    if y <= 2030:
        return WORLD_2024 * (250000 / WORLD_2024) ** ((y - 2024) / 6)
    return 250000 * (310000 / 250000) ** ((y - 2030) / 10)


def world_high(y: int) -> float:
    """Adamas base case: 8.7 %/yr from 185 kt in 2024 (703 kt in 2040)."""
    return WORLD_2024 * 1.087 ** (y - 2024)


def hp_share(y: int) -> float:
    """Share of magnet demand only sintered NdFeB can serve (estimate)."""
    return 0.45 + 0.15 * (y - FIRST) / (LAST - FIRST)


HP_NOTE = ("estimate: high-performance share {s:.0%} (EV traction ~30 % of 2025 demand per Argus NEV 60 kt, plus wind "
           "and servo/robot motors; rising 45 % -> 60 % by 2040); iron nitride serves only standard grades")


def world_history(y: int) -> float:
    """World consumption for end-of-life arisings (demand.csv 2020-2024; earlier back-cast at 8.7 %/yr)."""
    known = {2020: 130000, 2021: 153500, 2022: 150700, 2023: 170700, 2024: 185000}
    if y in known:
        return known[y]
    if y < 2020:
        return 130000 * 1.087 ** (y - 2020)
    return world_base(y)


def interp(y: int, points: dict[int, float]) -> float:
    ks = sorted(points)
    for a, b in itertools.pairwise(ks):
        if a <= y <= b:
            return points[a] + (points[b] - points[a]) * (y - a) / (b - a)
    return points[ks[-1]]


MAGNET_LIFE = 12  # estimate: EV 12-15, HDD ~5, wind ~25, industrial motors ~15 years
COLLECT_BASE = {2025: 0.02, 2030: 0.10, 2035: 0.15, 2040: 0.20}
COLLECT_PUSH = {2025: 0.02, 2030: 0.25, 2035: 0.40, 2040: 0.50}


def scrap_t(region: str, y: int, collect: dict[int, float]) -> float:
    share = REGION_2024[region][0] / WORLD_2024
    return share * world_history(y - MAGNET_LIFE) * interp(y, collect)


# ------------------------------------------------------------------ sheets
settings = {"first_year": FIRST, "last_year": LAST, "base_year": FIRST, "discount_rate": 0.08,
            "salvage": "yes", "unmet_penalty_usd_per_t": 500000, "mip_gap": 0.001}
SETTINGS_DOC = {
    "first_year": ("estimate", "issue 6: plan 2025-2040, annual"),
    "last_year": ("estimate", "issue 6: plan 2025-2040, annual"),
    "base_year": ("estimate", "costs discounted to 2025"),
    "discount_rate": ("estimate", "estimate: 8 % real, a common rate for mining and processing investment"),
    "salvage": ("estimate", "credit unused life of late builds so the horizon end does not deter them"),
    "mip_gap": ("estimate", ("lumpy builds: a plan within 0.1 % of the least cost (USD ~50m here) is accepted; "
                             "1e-4 takes 10-40 s per scenario instead of 1-9 s (README, Lumpy builds)")),
    "unmet_penalty_usd_per_t": ("estimate", ("estimate: USD 500/kg of magnet, ~4x the top of the Western magnet "
                                "price range USD 100-130/kg (prices.csv): demand goes unmet only when no supply exists")),
}

REGIONS = [
    ("EU", "European Union (27)", "crma_2024", "one region, as the CRMA's Union; EE, FR, DE, SE projects sit here"),
    ("US", "United States", "usgs_mcs_2025", ""),
    ("UK", "United Kingdom", "usgs_mcs_2025", "projects.csv country GB"),
    ("NO", "Norway", "fen_2024", "EEA but a third country under the CRMA; Fen and REEtec"),
    ("CA", "Canada", "usgs_mcs_2025", "demand counted in RW"),
    ("AU", "Australia", "usgs_mcs_2025", "demand counted in RW"),
    ("JP", "Japan", "usgs_mcs_2025", ""),
    ("KR", "South Korea", "usgs_mcs_2025", ""),
    ("BR", "Brazil", "usgs_mcs_2025", "demand counted in RW"),
    ("MY", "Malaysia", "usgs_mcs_2025", "demand counted in RW"),
    ("VN", "Vietnam", "usgs_mcs_2025", "demand counted in RW"),
    ("MM", "Myanmar", "usgs_mcs_2025", "Kachin output goes to Chinese separation; no route to other regions"),
    ("CN", "China", "china_no18_2025", ("export offers only (export controls cut them); Chinese domestic production "
     "and use (~115 kt of magnets in 2024) are outside the model")),
    ("RW", "Rest of world", "adamas_outlook_2040", "VN, TH, MX, IN, BR, CA ... demand; Greenland (Tanbreez)"),
]
DEMAND_REGIONS = ["EU", "US", "UK", "JP", "KR", "RW"]
PRODUCER_REGIONS = ["EU", "US", "UK", "NO", "CA", "AU", "JP", "KR", "BR", "MY", "VN", "RW"]

sheets: dict[str, list[dict]] = {}

sheets["sources"] = [{"source": k, "title": t, "publisher": p, "year": y, "url": u}
                     for k, (t, p, y, u) in SOURCES.items()]

sheets["regions"] = [{"region": r, "name": n, "notes": note, "source": s} for r, n, s, note in REGIONS]

sheets["materials"] = [
    {"material": "NdPr", "name": "neodymium-praseodymium, t oxide equivalent", "source": "iea_gcmo_2024"},
    {"material": "DyTb", "name": "dysprosium + terbium, t oxide equivalent", "source": "iea_gcmo_2024"},
]

sheets["commodities"] = [
    {"commodity": "ndpr_conc", "name": "NdPr contained in mineral concentrate (t NdPr oxide eq.)", "stage": "extraction",
     "source": "mp_concentrate_2024", "note": "Mountain Pass concentrate sold at USD 4.18/kg REO = ~USD 27/kg NdPr eq."},
    {"commodity": "dytb_conc", "name": "Dy+Tb contained in mineral concentrate (t oxide eq.)", "stage": "extraction",
     "source": "mp_10k_2021"},
    {"commodity": "mixed_re", "name": "cracked mixed rare-earth intermediate (t NdPr oxide eq.)", "stage": "processing",
     "source": "afr_kalgoorlie_2022"},
    {"commodity": "ndpr_oxide", "name": "separated NdPr oxide", "stage": "processing", "source": "reuters_prices_2026",
     "note": "China benchmark USD 47/kg (Mar 2025) to USD 123/kg (Feb 2026)"},
    {"commodity": "dytb_oxide", "name": "separated Dy/Tb oxide (blend)", "stage": "processing", "source": "argus_dytb_2025",
     "note": "European Dy/Tb asks tripled after April 2025 (Argus); Adamas: volume-weighted Dy USD 224/kg"},
    {"commodity": "ndpr_metal", "name": "NdPr metal / alloy (t metal)", "stage": "processing", "source": "src_2024"},
    {"commodity": "magnet", "name": "sintered NdFeB magnet (any grade; demand here is high-performance)",
     "stage": "manufacturing", "source": "magnet_composition"},
    {"commodity": "fen_magnet", "name": "rare-earth-free iron nitride (Fe16N2) magnet", "stage": "manufacturing",
     "source": "niron_2025"},
    {"commodity": "std_magnet", "name": "standard-grade magnet duty (t NdFeB equivalent), met in the demand region",
     "source": "argus_ndfeb_2025", "note": "no stage: never traded; made from magnet or fen_magnet by accounting technologies"},
    {"commodity": "scrap", "name": "end-of-life NdFeB magnet scrap (t magnet)", "source": "noveon_2023"},
]

sheets["content"] = [
    {"commodity": "ndpr_conc", "material": "NdPr", "t_per_t": 1, "source": "estimate", "note": "by definition"},
    {"commodity": "dytb_conc", "material": "DyTb", "t_per_t": 1, "source": "estimate", "note": "by definition"},
    {"commodity": "mixed_re", "material": "NdPr", "t_per_t": 1, "source": "estimate", "note": "by definition"},
    {"commodity": "ndpr_oxide", "material": "NdPr", "t_per_t": 1, "source": "estimate", "note": "by definition"},
    {"commodity": "dytb_oxide", "material": "DyTb", "t_per_t": 1, "source": "estimate", "note": "by definition"},
    {"commodity": "ndpr_metal", "material": "NdPr", "t_per_t": 1.176, "source": "src_2024",
     "note": "estimate: 0.85 t metal per t oxide (stoichiometry, content.csv) -> 1/0.85 t oxide eq. per t metal"},
    {"commodity": "magnet", "material": "NdPr", "t_per_t": NDPR_PER_MAGNET, "source": "magnet_composition",
     "note": "estimate: 29 wt% NdPr metal (29-32.5 % RE) x 1.176 oxide eq."},
    {"commodity": "magnet", "material": "DyTb", "t_per_t": DYTB_PER_MAGNET, "source": "adamas_outlook_2040",
     "note": "estimate: world Dy oxide use 2,500 t on 185 kt magnets (demand.csv) = 0.0135 + Tb ~0.0025"},
    {"commodity": "std_magnet", "material": "NdPr", "t_per_t": NDPR_PER_MAGNET, "source": "magnet_composition",
     "note": "estimate: consumption base counts standard-grade duty as NdFeB equivalent (CRMA base is exogenous)"},
    {"commodity": "std_magnet", "material": "DyTb", "t_per_t": DYTB_PER_MAGNET, "source": "adamas_outlook_2040",
     "note": "estimate: as magnet"},
    {"commodity": "scrap", "material": "NdPr", "t_per_t": NDPR_PER_MAGNET, "source": "magnet_composition",
     "note": "estimate: as magnet (documentation only: scrap has no stage and no demand)"},
    {"commodity": "scrap", "material": "DyTb", "t_per_t": DYTB_PER_MAGNET, "source": "adamas_outlook_2040",
     "note": "estimate: as magnet"},
    {"commodity": "fen_magnet", "material": "NdPr", "t_per_t": 0, "source": "niron_2025",
     "note": "reported: made from iron and nitrogen, no rare earths"},
]

sheets["technologies"] = [
    {"technology": "mine_bastnaesite", "stage": "extraction", "name": "bastnaesite/carbonatite mine + concentrator (Dy/Tb-poor)",
     "source": "mp_10k_2021"},
    {"technology": "mine_monazite", "stage": "extraction", "name": "monazite/apatite mine + concentrator (some Dy/Tb)",
     "source": "energy_fuels_2024"},
    {"technology": "mine_ionic_clay", "stage": "extraction", "name": "ionic adsorption clay mine (Dy/Tb-rich)",
     "source": "serra_verde_2024"},
    {"technology": "mine_heavy", "stage": "extraction", "name": "heavy-rare-earth deposit (eudialyte, xenotime)",
     "source": "tanbreez_2025"},
    {"technology": "crack_leach", "stage": "processing", "name": "cracking and leaching to a mixed intermediate",
     "source": "afr_kalgoorlie_2022"},
    {"technology": "sep_light", "stage": "processing", "name": "cracking + solvent extraction to NdPr oxide",
     "source": "energy_fuels_2024"},
    {"technology": "sep_light_mixed", "stage": "processing", "name": "solvent extraction of a mixed intermediate to NdPr oxide",
     "source": "afr_lynas_2023"},
    {"technology": "sep_heavy", "stage": "processing", "name": "heavy rare earth separation to Dy/Tb oxide",
     "source": "lynas_heavy_2025"},
    {"technology": "metal", "stage": None, "name": "oxide-to-metal reduction and alloying",
     "source": "src_2024",
     "note": "no stage (bookkeeping in stage tables): a tonne separated and then metallised counts once, as "
             "separation, in processing output and the CRMA processing benchmark; metal plants still cost and "
             "trade, and imported metal counts as processing in the supplier caps (commodity stage)"},
    {"technology": "ndfeb_sinter", "stage": "manufacturing", "name": "strip casting, jet milling, pressing, sintering",
     "source": "magnet_composition"},
    {"technology": "fen_plant", "stage": "manufacturing", "name": "iron nitride magnet plant", "source": "niron_2025"},
    {"technology": "recycle_hydro", "stage": "recycling", "name": "magnet scrap to separated oxides (hydrometallurgy)",
     "source": "ionic_2024"},
    {"technology": "recycle_hpms", "stage": "recycling", "name": "short-loop magnet-to-magnet (hydrogen processing)",
     "source": "hypromag_2023"},
    {"technology": "std_from_ndfeb", "stage": None, "name": "accounting: NdFeB magnet used in a standard-grade duty",
     "source": "niron_2025", "note": "bookkeeping (no stage): not a plant, so magnets are not counted twice"},
    {"technology": "std_from_fen", "stage": None, "name": "accounting: iron nitride magnet used in a standard-grade duty",
     "source": "niron_2025", "note": "bookkeeping (no stage): not a plant"},
]

MINE_DYTB = {
    "mine_bastnaesite": (0.006, "mp_10k_2021", ("estimate: Mountain Pass SEG+ 1.8 % of TREO, Dy+Tb a small part "
                                                "(~0.1 % of TREO) vs NdPr 15.7 %")),
    "mine_monazite": (0.045, "energy_fuels_2024", ("estimate: Energy Fuels Phase 2 150-225 t Dy + 50-75 t Tb per "
                                                  "4,000-6,000 t NdPr = 0.05; Mt Weld ~1 % Dy+Tb vs 23 % NdPr = 0.043")),
    "mine_ionic_clay": (0.20, "serra_verde_2024", ("estimate: ionic clays Dy 2-7 %, Tb 0.5-1 % vs NdPr 20-30 % of TREO "
                                                  "(content.csv)")),
    "mine_heavy": (0.25, "tanbreez_2025", "estimate: Tanbreez 27 % heavy REO; Dy+Tb ~5 % vs NdPr ~20 % of TREO"),
}
sheets["tech_io"] = []
for tech, (ratio, src, note) in MINE_DYTB.items():
    sheets["tech_io"] += [
        {"technology": tech, "commodity": "ndpr_conc", "coefficient": 1, "source": "estimate",
         "note": "capacity and activity in t NdPr oxide eq. of concentrate"},
        {"technology": tech, "commodity": "dytb_conc", "coefficient": ratio, "source": src, "note": note},
    ]
sheets["tech_io"] += [
    {"technology": "crack_leach", "commodity": "ndpr_conc", "coefficient": -1.02, "source": "estimate",
     "note": "estimate: 98 % recovery"},
    {"technology": "crack_leach", "commodity": "mixed_re", "coefficient": 1, "source": "afr_kalgoorlie_2022"},
    {"technology": "sep_light", "commodity": "ndpr_conc", "coefficient": -1.05, "source": "estimate",
     "note": "estimate: 95 % recovery"},
    {"technology": "sep_light", "commodity": "ndpr_oxide", "coefficient": 1, "source": "energy_fuels_2024"},
    {"technology": "sep_light_mixed", "commodity": "mixed_re", "coefficient": -1.03, "source": "estimate",
     "note": "estimate: 97 % recovery (95 % overall with crack_leach)"},
    {"technology": "sep_light_mixed", "commodity": "ndpr_oxide", "coefficient": 1, "source": "afr_lynas_2023"},
    {"technology": "sep_heavy", "commodity": "dytb_conc", "coefficient": -1.1, "source": "estimate",
     "note": "estimate: 90 % recovery"},
    {"technology": "sep_heavy", "commodity": "dytb_oxide", "coefficient": 1, "source": "lynas_heavy_2025"},
    {"technology": "metal", "commodity": "ndpr_oxide", "coefficient": -OXIDE_PER_METAL, "source": "src_2024",
     "note": "1.18 t oxide per t metal (stoichiometry) / 98 % yield (SRC) = 1.20 (content.csv)"},
    {"technology": "metal", "commodity": "ndpr_metal", "coefficient": 1, "source": "src_2024"},
    {"technology": "ndfeb_sinter", "commodity": "ndpr_metal", "coefficient": -METAL_PER_MAGNET, "source": "magnet_composition",
     "note": "estimate: 0.29 t NdPr metal per t magnet / 95 % net yield with in-house swarf recycling; "
             "= 0.366 t oxide per t magnet (content.csv 0.37)"},
    {"technology": "ndfeb_sinter", "commodity": "dytb_oxide", "coefficient": -DYTB_OXIDE_PER_MAGNET,
     "source": "adamas_outlook_2040", "note": "estimate: 0.016 / 0.95; Dy/Tb added as DyFe alloy or grain-boundary "
                                              "diffusion, conversion folded into the magnet plant"},
    {"technology": "ndfeb_sinter", "commodity": "magnet", "coefficient": 1, "source": "magnet_composition"},
    {"technology": "fen_plant", "commodity": "fen_magnet", "coefficient": 1, "source": "niron_2025",
     "note": "iron and nitrogen inputs not modelled (no rare earths)"},
    {"technology": "recycle_hydro", "commodity": "scrap", "coefficient": -1, "source": "estimate",
     "note": "by definition: capacity and activity in t of magnet feed"},
    {"technology": "recycle_hydro", "commodity": "ndpr_oxide", "coefficient": 0.31, "source": "ionic_2024",
     "note": "estimate: 0.34 t NdPr per t magnet x ~92 % recovery (content.csv 90-98 %)"},
    {"technology": "recycle_hydro", "commodity": "dytb_oxide", "coefficient": 0.0145, "source": "ionic_2024",
     "note": "estimate: 0.016 x ~90 % recovery"},
    {"technology": "recycle_hpms", "commodity": "scrap", "coefficient": -1, "source": "estimate",
     "note": "by definition: capacity and activity in t of magnet feed"},
    {"technology": "recycle_hpms", "commodity": "magnet", "coefficient": 0.9, "source": "hypromag_2023",
     "note": "estimate: 90 % magnet-to-magnet yield"},
    {"technology": "std_from_ndfeb", "commodity": "magnet", "coefficient": -1, "source": "estimate",
     "note": "one t NdFeB serves one t of standard-grade duty"},
    {"technology": "std_from_ndfeb", "commodity": "std_magnet", "coefficient": 1, "source": "estimate",
     "note": "by definition: activity in t of standard-grade duty served"},
    {"technology": "std_from_fen", "commodity": "fen_magnet", "coefficient": -FEN_PER_NDFEB, "source": "niron_2025",
     "note": "estimate: lower (BH)max, 1.3-2 t iron nitride per t NdFeB replaced (content.csv); 1.5 used"},
    {"technology": "std_from_fen", "commodity": "std_magnet", "coefficient": 1, "source": "estimate",
     "note": "by definition: activity in t of standard-grade duty served"},
]


# ------------------------------------------------------------------ projects
def P(project, technology, region, source, note="", **kw) -> dict:
    kind = {"mine_bastnaesite": "mine", "mine_monazite": "mine", "mine_ionic_clay": "mine", "mine_heavy": "mine",
            "crack_leach": "crack", "sep_light": "sep", "sep_light_mixed": "sep_mixed", "sep_heavy": "sep_heavy",
            "metal": "metal", "fen_plant": "fen", "recycle_hydro": "hydro", "recycle_hpms": "hpms"}.get(technology)
    if "var_cost_usd_per_t" not in kw:
        if technology == "ndfeb_sinter":
            kw["var_cost_usd_per_t"] = MAGNET_VAR[region]
            kind = "magnet"
        elif kind:
            kw["var_cost_usd_per_t"] = VAR[kind]
    if kind and VAR_NOTE.get(kind):
        note = (note + "; " if note else "") + "var cost " + VAR_NOTE[kind]
    if kind:  # a real plant (not an accounting device)
        capex = kw.get("capex_usd_per_tpa") or (MAGNET_CAPEX[region] if kind == "magnet" else STAGE_CAPEX[kind])
        kw.setdefault("fixed_om_usd_per_tpa", round(FIXED_OM_SHARE * capex))
        kw.setdefault("availability", 1 if kind == "mine" else AVAILABILITY)
        why = (": capacity stated as a year's output" if kw["availability"] == 1 else
               ": maintenance and campaigns")
        note += "; " + OM_NOTE.format(a=kw["availability"], why=why)
    return {"project": project, "technology": technology, "region": region, **kw, "source": source, "note": note}


projects = [
    # ---- United States
    P("mp_mountain_pass_mine", "mine_bastnaesite", "US", "mp_results_2025",
      "50,692 t REO in concentrate (2025 record) x 15.7 % NdPr [mp_10k_2021] = 7,959 t NdPr eq.; Upstream 60K "
      "[mp_10k_2024] +9,308 t REO x 15.7 % = 1,461; estimate: capex as Mt Weld brownfield USD 69k per t/yr "
      "(costs.csv); minimum output 95 % (estimate: a mine runs continuously; after MP stopped selling concentrate to "
      "China in July 2025 [mp_10q_q3_2025] it stockpiled what it could not separate, here the surplus is disposed)",
      existing_tpa=7959, max_new_tpa=1461, capex_usd_per_tpa=69000, lead_time_years=3, earliest_start_year=2025,
      min_output_share=0.95),
    P("mp_mountain_pass_separation", "sep_light", "US", "mp_results_2025",
      "1,294 t NdPr oxide in 2024 [mp_10k_2024], 2,599 t in 2025 and a run rate near 4,000 t at end-2025; "
      "the 4,706 t to the 6,000 t Stage II nameplate ramps over 3 years from 2025 (2025: 1,294 + 1,177); "
      "availability 1 because the existing figure is a year's output",
      existing_tpa=1294, committed_tpa=4706, committed_online_year=2025, ramp_years=3, availability=1),
    P("mp_heavy_separation", "sep_heavy", "US", "ns_energy_mp_2025",
      "DoD USD 150m loan (2025); estimate: capacity not disclosed, 100 t Dy/Tb oxide; online 2026 estimate",
      committed_tpa=100, committed_online_year=2026),
    P("mp_independence_metal", "metal", "US", "fortworth_inc_2025",
      "estimate: ~320 t NdPr metal to feed 1,000 t magnets (projects.csv); expansion to feed 10X at generic "
      "metal capex USD 30k per t/yr (costs.csv 20-40k)",
      existing_tpa=320, max_new_tpa=2600, capex_usd_per_tpa=30000, lead_time_years=2, earliest_start_year=2025),
    P("mp_independence_magnets", "ndfeb_sinter", "US", "industrial_heating_2022",
      "1,000 t/yr, trial magnets 2025, 2025 output est. 250-750 t [ier_mp_2025]: committed 2025 with a 1-year ramp "
      "(500 t usable in 2025); GM anchor customer: minimum output 90 % of usable capacity (estimate: binding offtake)",
      committed_tpa=1000, committed_online_year=2025, ramp_years=1, min_output_share=0.9),
    P("mp_independence_apple", "ndfeb_sinter", "US", "apple_mp_2025",
      "Apple USD 500m agreement for recycled-feed magnets from Fort Worth, deliveries from 2027; estimate: +2,000 t "
      "(planned 3,000 t in projects.csv is an estimate), 1-year ramp, minimum output 90 % (offtake)",
      committed_tpa=2000, committed_online_year=2027, ramp_years=1, min_output_share=0.9),
    P("mp_10x", "ndfeb_sinter", "US", "mp_dod_8k_2025",
      "7,000 t/yr, commissioning 2028, USD 1bn bank financing committed: committed capacity with a 2-year ramp; "
      "DoD buys 100 % of output for 10 years at cost plus (minimum EBITDA USD 140m/yr): minimum output 90 % "
      "(estimate: offtake with 10 % for maintenance); capex USD 143k per t/yr sunk",
      committed_tpa=7000, committed_online_year=2028, ramp_years=2, min_output_share=0.9),
    P("vulcan_benson", "ndfeb_sinter", "US", "vulcan_2025",
      "10,000 t/yr, USD 918m incl. metallisation = USD 92k per t/yr (costs.csv); initial ops 2027",
      max_new_tpa=10000, capex_usd_per_tpa=92000, lead_time_years=2, earliest_start_year=2025),
    P("usar_stillwater", "ndfeb_sinter", "US", "usar_stillwater_2024",
      "Line 1a 1,200 t commissioning 2026; nameplate 4,800 t; estimate: expansion at USD 100m / 4,800 t = USD 21k",
      committed_tpa=1200, committed_online_year=2026, max_new_tpa=3600, capex_usd_per_tpa=21000,
      lead_time_years=2, earliest_start_year=2026),
    P("usar_round_top", "mine_heavy", "US", "usar_roundtop_2025",
      "first production targeted late 2028; estimate: capacity not disclosed, 500 t NdPr eq.; generic greenfield "
      "capex USD 120k (half of Nolans integrated USD 241k, costs.csv)",
      max_new_tpa=500, capex_usd_per_tpa=120000, lead_time_years=3, earliest_start_year=2025),
    P("energy_fuels_white_mesa", "sep_light", "US", "energy_fuels_2024",
      "Phase 1 850-1,000 t NdPr, run in campaigns beside uranium (2024 output 25-35 t): availability 10 % "
      "(estimate); Phase 2 to 4,000-6,000 t; estimate: Phase 2 capex USD 25k per t/yr (brownfield; "
      "Phase 1 USD 16k lower bound), lead 2, start 2026",
      existing_tpa=1000, max_new_tpa=5000, capex_usd_per_tpa=25000, lead_time_years=2, earliest_start_year=2026,
      availability=0.1),
    P("lynas_seadrift", "sep_heavy", "US", "seadrift_2025",
      "stalled (Northern Miner 2025); DoD USD 258m [seadrift_2023]; estimate: 200 t Dy/Tb oxide, capex = DoD amount / 200 t, "
      "earliest 2027",
      max_new_tpa=200, capex_usd_per_tpa=1290000, lead_time_years=3, earliest_start_year=2027),
    P("reelement", "recycle_hydro", "US", "vulcan_2025",
      "USD 80m OSC loan matched privately (USD 160m, estimate); estimate: 2,000 t magnet feed, capacity not disclosed",
      max_new_tpa=2000, capex_usd_per_tpa=80000, lead_time_years=2, earliest_start_year=2025),
    P("noveon_san_marcos", "recycle_hpms", "US", "noveon_2023",
      "magnet-to-magnet from recycled feed; estimate: ~300 t/yr now, 2,000 t planned; capex as Tyseley USD 29k",
      existing_tpa=300, max_new_tpa=1700, capex_usd_per_tpa=29000, lead_time_years=2, earliest_start_year=2025),
    P("evac_sumter", "ndfeb_sinter", "US", "evac_sumter_2024",
      "operational late 2025; DoD USD 94.1m for equipment [evac_fastmarkets_2023]; estimate: 1,500 t/yr (capacity "
      "not disclosed), committed 2025 with a 3-year ramp (375 t usable in 2025); GM binding offtake: minimum output "
      "90 % of usable capacity (estimate)",
      committed_tpa=1500, committed_online_year=2025, ramp_years=3, min_output_share=0.9),
    P("niron_sartell", "fen_plant", "US", "niron_2025",
      "1,500 t/yr iron nitride, groundbreaking Sep 2025, operational early 2027",
      committed_tpa=1500, committed_online_year=2027),
    P("hypromag_usa", "recycle_hpms", "US", "hypromag_usa_2023",
      "estimate: capacity not verified; one Tyseley-size line (300 t/yr) at USD 29k",
      max_new_tpa=300, capex_usd_per_tpa=29000, lead_time_years=2, earliest_start_year=2026),
    # ---- Australia and Malaysia
    P("lynas_mt_weld", "mine_monazite", "AU", "emj_mtweld_2022",
      "7,000 t/yr NdPr eq. feed before the A$500m expansion; Stage 2 complete end FY25 -> 12,000 t (committed "
      "+5,000 from 2026, 1-year ramp); FY25 NdPr 6,558 t [lynas_fy25]; two more stages +2,400 each; "
      "estimate: capex USD 69k per t/yr (costs.csv)",
      existing_tpa=7000, committed_tpa=5000, committed_online_year=2026, ramp_years=1,
      max_new_tpa=4800, capex_usd_per_tpa=69000, lead_time_years=3, earliest_start_year=2026),
    P("lynas_kalgoorlie", "crack_leach", "AU", "afr_kalgoorlie_2022",
      "feeds Lynas Malaysia; estimate: 12,000 t NdPr eq. of feed (designed for 9,000-10,500 t NdPr product); "
      "FY25 output lower than expected [lynas_fy25]",
      existing_tpa=12000),
    P("lynas_malaysia", "sep_light_mixed", "MY", "afr_lynas_2023",
      "10,500 t/yr NdPr oxide; estimate: Lynas 2025 target 12,000 t online 2026",
      existing_tpa=10500, committed_tpa=1500, committed_online_year=2026),
    P("lynas_malaysia_heavy", "sep_heavy", "MY", "lynas_heavy_2025",
      "estimate: first Dy/Tb 2025 ~100 t oxide; MYR 500m (~USD 120m) plant for 5,000 t HRE feed ~ +400 t Dy/Tb "
      "(USD 240k per t/yr)",
      existing_tpa=100, max_new_tpa=400, capex_usd_per_tpa=240000, lead_time_years=2, earliest_start_year=2025),
    P("iluka_eneabba_feed", "mine_monazite", "AU", "iluka_eneabba_2024",
      "estimate: Eneabba stockpile and Iluka mineral-sands monazite sized to feed the refinery (5,500 t / 0.95)",
      committed_tpa=5800, committed_online_year=2027),
    P("iluka_eneabba_light", "sep_light", "AU", "iluka_eneabba_2024",
      "A$1.7-1.8bn refinery, commissioning 2027; ~5,500 t NdPr (estimate-check)",
      committed_tpa=5500, committed_online_year=2027),
    P("iluka_eneabba_heavy", "sep_heavy", "AU", "iluka_eneabba_2024",
      "estimate: Dy/Tb at the monazite ratio 0.045 x 5,500 t = ~250 t", committed_tpa=250, committed_online_year=2027),
    P("arafura_nolans_mine", "mine_monazite", "AU", "arafura_bnwa_2024",
      "estimate: 4,440 t NdPr oxide / 0.95 = 4,700 t NdPr eq.; 45 % of A$1.6bn (USD 1,072m) / 4,700 t; FID not taken",
      max_new_tpa=4700, capex_usd_per_tpa=103000, lead_time_years=4, earliest_start_year=2025),
    P("arafura_nolans_refinery", "sep_light", "AU", "arafura_nolans_2021",
      "4,440 t/yr NdPr oxide; estimate: 50 % of USD 1,072m / 4,440 t",
      max_new_tpa=4440, capex_usd_per_tpa=121000, lead_time_years=4, earliest_start_year=2025),
    P("arafura_nolans_heavy", "sep_heavy", "AU", "arafura_nolans_2021",
      "474 t/yr heavy RE oxide; estimate: Dy+Tb ~1/3 = 150 t; 5 % of USD 1,072m",
      max_new_tpa=150, capex_usd_per_tpa=357000, lead_time_years=4, earliest_start_year=2025),
    # ---- European Union
    P("neo_sillamae", "sep_light", "EU", "sillamae_2025",
      "Estonia; estimate: ~2,000 t/yr NdPr eq. (Neo quotes ~3,000 t REO for Silmet)", existing_tpa=2000),
    P("neo_narva", "ndfeb_sinter", "EU", "narva_2024",
      "Estonia; phase 1 2,000 t: pre-start May 2025, inaugurated Sep 2025, commercial ramp 2026 [sillamae_2025] -> "
      "committed 2025 with a 2-year ramp; phase 2 >5,000 t; estimate: EUR ~250m total -> USD 52k per t/yr (costs.csv)",
      committed_tpa=2000, committed_online_year=2025, ramp_years=2, max_new_tpa=3000, capex_usd_per_tpa=52000, lead_time_years=2, earliest_start_year=2026),
    P("vac_eu", "ndfeb_sinter", "EU", "magnetics_mag_2018",
      "VAC Germany/Slovakia; estimate: ~1,000 t/yr (shares.csv residual)", existing_tpa=1000),
    P("solvay_la_rochelle", "sep_light", "EU", "solvay_2025",
      "France; a few hundred t (2025) -> 4,500 t target by 2030; estimate: ~EUR 100m more for full scale "
      "[specchem_solvay_2025] / 4,200 t = USD 25k per t/yr",
      existing_tpa=300, max_new_tpa=4200, capex_usd_per_tpa=25000, lead_time_years=3, earliest_start_year=2025),
    P("caremag_recycling", "recycle_hydro", "EU", "caremag_2025",
      "Lacq, France: 2,000 t/yr magnet feed, operations end-2026 (online 2027)",
      committed_tpa=2000, committed_online_year=2027),
    P("caremag_heavy", "sep_heavy", "EU", "caremag_2025",
      "5,000 t/yr concentrate refining; ~600 t heavy REs in all; estimate: 500 t Dy/Tb from concentrate",
      committed_tpa=500, committed_online_year=2027),
    P("hypromag_gmbh", "recycle_hpms", "EU", "hypromag_2023",
      "Germany; estimate: capacity not found, one Tyseley-size line 300 t/yr at USD 29k; online 2027 estimate",
      max_new_tpa=300, capex_usd_per_tpa=29000, lead_time_years=2, earliest_start_year=2025),
    P("lkab_lulea_demo", "mine_monazite", "EU", "lkab_2024",
      "Sweden; SEK 800m demo plant, operational end-2026; estimate: 100 t NdPr eq. (demonstration scale)",
      committed_tpa=100, committed_online_year=2027),
    P("lkab_per_geijer", "mine_monazite", "EU", "fdi_sweden_2023",
      "Kiruna; 'could take a decade' -> lead 10; estimate: 2,000 t NdPr eq. (~18 % of EU demand long term, "
      "Mining Technology 2024), generic greenfield capex USD 120k",
      max_new_tpa=2000, capex_usd_per_tpa=120000, lead_time_years=10, earliest_start_year=2025),
    P("norra_karr", "mine_heavy", "EU", "estimate",
      "Sweden; heavy-RE eudialyte deposit, no figures found (projects.csv); estimate: 400 t NdPr eq., generic "
      "greenfield capex, lead 8 (EU permitting)",
      max_new_tpa=400, capex_usd_per_tpa=120000, lead_time_years=8, earliest_start_year=2025),
    # ---- Norway, UK, Canada, Brazil
    P("ren_fen", "mine_bastnaesite", "NO", "fen_2024",
      "first mining by 2030, ~EUR 870m (USD 930m); estimate: capacity implied at generic USD 120k per t/yr = 7,750 t",
      max_new_tpa=7750, capex_usd_per_tpa=120000, lead_time_years=5, earliest_start_year=2025),
    P("reetec_heroya", "sep_light", "NO", "reetec_2022",
      "estimate: 720 t/yr NdPr oxide nameplate (unverified); slipped from 2024, online 2026 estimate",
      committed_tpa=720, committed_online_year=2026),
    P("hypromag_tyseley", "recycle_hpms", "UK", "tyseley_2026",
      "100-300 t/yr by shift pattern; opened Jan 2026; GBP 4.3m -> USD 29k per t/yr (costs.csv)",
      existing_tpa=100, max_new_tpa=200, capex_usd_per_tpa=29000, lead_time_years=1, earliest_start_year=2025),
    P("ionic_belfast", "recycle_hydro", "UK", "ionic_2024",
      "10 t/yr REO demo; estimate: 10 / 0.33 = 30 t magnet feed", existing_tpa=30),
    P("lcm_metal", "metal", "UK", "usar_lcm_2025",
      "Less Common Metals; estimate: a few hundred t/yr alloy -> 300 t", existing_tpa=300),
    P("src_saskatoon_metal", "metal", "CA", "src_2024", "~400 t/yr NdPr metal from early 2025", existing_tpa=400),
    P("src_saskatoon_separation", "sep_light", "CA", "src_2024",
      "monazite processing and SX separation; estimate: NdPr ~ same scale as metal, 400 t", existing_tpa=400),
    P("cyclic_kingston", "recycle_hydro", "CA", "cyclic_kingston_2025",
      "500 t/yr magnet feed -> mixed REO, Q1 2026; fed by the Mesa, Arizona dismantling plant (25,000 t/yr of components) [cyclic_mesa_2025]",
      committed_tpa=500, committed_online_year=2026),
    P("serra_verde_pela_ema", "mine_ionic_clay", "BR", "serra_verde_2024",
      "Phase I 5,000 t TREO -> 6,500 t by 2027, Phase II could double; estimate: NdPr 25 % of TREO (1,250 t, "
      "+375 t 2027, Phase II +1,625 t at brownfield USD 69k); US DFC up to USD 465m [serra_verde_dfc_2025]",
      existing_tpa=1250, committed_tpa=375, committed_online_year=2027, max_new_tpa=1625, capex_usd_per_tpa=69000,
      lead_time_years=3, earliest_start_year=2026),
    # ---- Asia, Myanmar, rest of world
    P("vn_mines", "mine_bastnaesite", "VN", "vietnam_gov_2023",
      "estimate: ~300 t REO (2024) x 20 % = 60 t NdPr eq.", existing_tpa=60),
    P("shin_etsu_haiphong_refining", "sep_light", "VN", "shinetsu_vn_2012",
      "USD 25m plant (2013) refining scrap and concentrates; estimate: 500 t NdPr oxide", existing_tpa=500),
    P("shin_etsu_haiphong_magnets", "ndfeb_sinter", "VN", "shinetsu_vn_2014", "USD 117m for 2,000 t/yr (2017)",
      existing_tpa=2000),
    P("sgi_vina", "ndfeb_sinter", "VN", "sgi_vn_2025", "4,000 t/yr (Feb 2025), target 5,000; USD 20k per t/yr",
      existing_tpa=4000, max_new_tpa=1000, capex_usd_per_tpa=20000, lead_time_years=1, earliest_start_year=2025),
    P("jp_magnet_makers", "ndfeb_sinter", "JP", "magnetics_mag_2018",
      "Shin-Etsu, Proterial, TDK, Daido; estimate: 10-15 kt/yr -> 12,000 t; minimum output 70 % (estimate: "
      "long-term supply to Japanese car and motor makers, whose high-grade magnets are not bought on the Chinese "
      "export market); availability 1: capacity estimated from output",
      existing_tpa=12000, min_output_share=0.85, availability=1),
    P("jp_metal_makers", "metal", "JP", "sojitz_jare_2022",
      "estimate: not in the data; Japanese makers metallise Lynas/JARE oxide; sized to 12 kt magnets x 0.305",
      existing_tpa=4000),
    P("kr_magnet_makers", "ndfeb_sinter", "KR", "korea_2023", "estimate: ~3,000 t/yr (SGI and others)",
      existing_tpa=3000),
    P("mm_kachin_mining", "mine_ionic_clay", "MM", "usgs_mcs_2025",
      "31,000 t REO (2024); estimate: NdPr 25 % = 7,750 t; all exported to China (routes closed)", existing_tpa=7750),
    P("tanbreez", "mine_heavy", "RW", "tanbreez_2025",
      "Greenland; 'by 2028'; the 85 kt REO claim is not used; estimate: 45 Mt x 0.4 % = 180 kt TREO over ~20 yr "
      "= 9 kt TREO/yr x 20 % NdPr = 1,800 t; generic greenfield capex",
      max_new_tpa=1800, capex_usd_per_tpa=120000, lead_time_years=3, earliest_start_year=2025),
]

# Lumpy builds (formulation 15): a named candidate is built as the plant its source describes, whole or
# in its reported stages; the size is the project's own max_new_tpa unless a stage size is given.
# Generic candidates stay continuous: they stand for a region's industry, whose plants differ in size,
# and integer columns on them make the scenario MIPs 10-40x slower (README, "Lumpy builds").
WHOLE = "lumpy: built whole or not at all (unit_tpa = max_new_tpa: one plant of the size above)"
SIZES = {  # project: (column, t/yr or None for max_new_tpa, why)
    "mp_mountain_pass_mine": ("unit_tpa", None, "Upstream 60K is one project [mp_10k_2024]"),
    "lynas_mt_weld": ("unit_tpa", 2400, "two further stages of +2,400 t each [emj_mtweld_2022]"),
    "arafura_nolans_mine": ("unit_tpa", None, "Nolans is one integrated project (FS 4,440 t NdPr oxide)"),
    "arafura_nolans_refinery": ("unit_tpa", None, "one refinery, 4,440 t/yr NdPr oxide [arafura_nolans_2021]"),
    "arafura_nolans_heavy": ("unit_tpa", None, "part of the one Nolans refinery [arafura_nolans_2021]"),
    "lynas_malaysia_heavy": ("unit_tpa", None, "one plant: MYR 500m for 5,000 t/yr HRE feed [lynas_heavy_2025]"),
    "lynas_seadrift": ("unit_tpa", None, "one plant (estimate of its size above)"),
    "energy_fuels_white_mesa": ("min_build_tpa", 3000, "Phase 2 takes the circuit to 4,000-6,000 t: a build of "
                                "3,000-5,000 t [energy_fuels_2024]"),
    "usar_stillwater": ("unit_tpa", 1200, "lines of 1,200 t (Line 1a 1,200 of 4,800 nameplate) [usar_stillwater_2024]"),
    "vulcan_benson": ("unit_tpa", None, "one 10,000 t/yr plant [vulcan_2025]"),
    "neo_narva": ("unit_tpa", None, "phase 2 to >5,000 t is one build [narva_2024]"),
    "sgi_vina": ("unit_tpa", None, "one expansion to the 5,000 t target [sgi_vn_2025]"),
    "serra_verde_pela_ema": ("unit_tpa", None, "Phase II is one build (estimate of its size above)"),
    "norra_karr": ("unit_tpa", None, "estimate: a deposit is developed to its design size (estimate above), "
                   "not in slivers"),
    "lkab_per_geijer": ("unit_tpa", None, "estimate: one mine at the estimated size above"),
    "ren_fen": ("unit_tpa", None, "estimate: one mine at the size implied by its capex above"),
    "usar_round_top": ("unit_tpa", None, "estimate: one mine at the estimated size above"),
    "tanbreez": ("unit_tpa", None, "estimate: one mine at the estimated size above"),
}
for p in projects:
    if p["project"] in SIZES:
        col, size, why = SIZES[p["project"]]
        p[col] = size or p["max_new_tpa"]
        p["note"] += f"; lumpy: {col} {p[col]:,} ({why})" if size else f"; {WHOLE}: {why}"

# generic candidates per region and stage (costs.csv)
GEN = "estimate: generic candidate"
for r in ["EU", "US", "CA", "AU", "BR", "MY", "VN", "RW"]:
    tech = "mine_ionic_clay" if r in ("BR", "MY") else ("mine_bastnaesite" if r == "VN" else "mine_monazite")
    lead = {"EU": 6, "BR": 4, "MY": 4, "VN": 4}.get(r, 5)
    extra = {"MY": "; Malaysian ionic clay (planned, pilots with Chinese technology)",
             "VN": "; Vietnam plans 3-4 new mines after 2030"}.get(r, "")
    projects.append(P(f"gen_mine_{r}", tech, r, "arafura_bnwa_2024",
                      f"{GEN}: half of Nolans integrated USD 241k per t/yr; lead {lead} incl. permitting "
                      "(EU 27-month Strategic Project permits + build; S&P: 15.7 yr discovery-to-production)" + extra,
                      max_new_tpa=10000, capex_usd_per_tpa=120000, lead_time_years=lead,
                      earliest_start_year=2030 if r == "VN" else 2025))
for r in ["EU", "US", "UK", "NO", "CA", "AU", "JP", "KR", "BR", "MY", "VN"]:
    cx = 60000 if r in ("MY", "VN") else 120000
    projects.append(P(f"gen_sep_{r}", "sep_light", r, "iluka_eneabba_2024",
                      f"{GEN}: greenfield separation USD 120k per t/yr (half of Nolans USD 241k; Eneabba ~USD 210k "
                      "per t NdPr incl. heavies); Asia half (estimate); lead 4 (Eneabba FID-commissioning 5, Kalgoorlie 3)",
                      max_new_tpa=10000, capex_usd_per_tpa=cx, lead_time_years=4, earliest_start_year=2025))
for r in ["EU", "US", "UK", "CA", "AU", "JP", "MY"]:
    projects.append(P(f"gen_sep_heavy_{r}", "sep_heavy", r, "lynas_heavy_2025",
                      f"{GEN}: USD 240k per t/yr Dy/Tb (Lynas Malaysia HRE plant, estimate); lead 3",
                      max_new_tpa=500, capex_usd_per_tpa=240000, lead_time_years=3, earliest_start_year=2025))
for r in PRODUCER_REGIONS:
    projects.append(P(f"gen_metal_{r}", "metal", r, "src_2024",
                      f"{GEN}: commercial metal-only capex USD 20-40k per t/yr (costs.csv) -> 30k; lead 2",
                      max_new_tpa=10000, capex_usd_per_tpa=30000, lead_time_years=2, earliest_start_year=2025))
for r in PRODUCER_REGIONS:
    lead = 3 if r in ("US", "CA", "AU") else 2
    projects.append(P(f"gen_magnet_{r}", "ndfeb_sinter", r, "vulcan_2025" if r in ("US", "CA", "AU") else
                      ("narva_2024" if MAGNET_CAPEX[r] == 55000 else "sgi_vn_2025"),
                      f"{GEN}: capex US plants USD 90-145k, EU/Japanese USD 50-60k, new Asian USD 20k per t/yr "
                      f"(costs.csv); lead {lead} (US 1.7-3.5 yr, Narva 2.25)",
                      max_new_tpa=20000, capex_usd_per_tpa=MAGNET_CAPEX[r], lead_time_years=lead,
                      earliest_start_year=2025))
for r in ["EU", "US", "UK", "CA", "JP", "KR", "RW"]:
    projects.append(P(f"gen_recycle_hydro_{r}", "recycle_hydro", r, "cyclic_kingston_2025",
                      f"{GEN}: USD 50k per t/yr of magnet feed (Cyclic Kingston, costs.csv); lead 2 (Caremag)",
                      max_new_tpa=5000, capex_usd_per_tpa=50000, lead_time_years=2, earliest_start_year=2025))
for r in ["EU", "US", "UK", "JP", "KR", "RW"]:
    projects.append(P(f"gen_recycle_hpms_{r}", "recycle_hpms", r, "tyseley_2023",
                      f"{GEN}: USD 29k per t/yr (Tyseley, costs.csv); lead 2",
                      max_new_tpa=3000, capex_usd_per_tpa=29000, lead_time_years=2, earliest_start_year=2025))
for r in ["US", "EU", "UK", "JP", "KR"]:
    projects.append(P(f"gen_fen_{r}", "fen_plant", r, "niron_2025",
                      f"{GEN}: iron nitride capex not found; USD 100k per t/yr as a US NdFeB plant (costs.csv "
                      "suggestion); lead 2, after Niron's first plant (2027)",
                      max_new_tpa=5000, capex_usd_per_tpa=100000, lead_time_years=2, earliest_start_year=2027))

# ------------------------------------------------------------------ demand
demand = []
for r in DEMAND_REGIONS:
    base, src, note = REGION_2024[r]
    for y in YEARS:
        total = base * world_base(y) / WORLD_2024
        s = hp_share(y)
        growth = ("estimate: grown with the IEA-APS-consistent world path 185 kt (2024) -> 250 kt (2030) -> 310 kt "
                  "(2040) [iea_gcmo_2024]; IEA 2025 STEPS has REE demand +50-60 % by 2040 [iea_gcmo_2025]")
        demand.append({"region": r, "commodity": "magnet", "year": y, "quantity_t": round(total * s),
                       "source": src, "note": f"{note}; {growth}; {HP_NOTE.format(s=s)}"})
        demand.append({"region": r, "commodity": "std_magnet", "year": y, "quantity_t": round(total * (1 - s)),
                       "source": src, "note": f"{note}; {growth}; standard-grade share {1 - s:.0%} (estimate)"})
    # grading (accounting) projects sized just above the base case's largest standard-grade demand;
    # high_demand scales them with demand
    std_max = max(base * world_base(y) / WORLD_2024 * (1 - hp_share(y)) for y in YEARS)
    cap = math.ceil(std_max * 1.05 / 100) * 100
    projects.append(P(f"grade_ndfeb_{r}", "std_from_ndfeb", r, "estimate",
                      "accounting device, not a plant: NdFeB used in standard-grade duty; capacity above any "
                      "scenario's demand", existing_tpa=cap))
    projects.append(P(f"grade_fen_{r}", "std_from_fen", r, "niron_2025",
                      "accounting device, not a plant: iron nitride used in standard-grade duty", existing_tpa=cap))
sheets["demand"] = demand
REGION_NAMES = {r: n for r, n, _s, _note in REGIONS}
for p in projects:
    p["name"] = project_name(p, REGION_NAMES)
sheets["projects"] = projects

# ------------------------------------------------------------------ supply: China's export offers, scrap
supply = []
CN_VOLUME = {  # commodity: 2024 export volume t, source, note
    "magnet": (58152, "adamas_exports_2024", "58,152 t magnets+alloys exported 2024 at USD 2.86bn = USD 49/kg"),
    "ndpr_oxide": (5000, "fastmarkets_2024", "estimate: 5,000 t/yr export volume (not in the data)"),
    "ndpr_metal": (3000, "fastmarkets_2024", "estimate: 3,000 t/yr, sized to non-Chinese magnet makers' feed "
                                             "(~15 kt x 0.305 t metal)"),
    "dytb_oxide": (400, "adamas_dy_2026", "estimate: 400 t/yr, sized to non-Chinese magnet makers' needs"),
}
# April 2025 controls (Announcement No. 18: Dy, Tb and magnets containing them need a licence per shipment;
# the one-year suspension of Nov 2025 covers only the October measures, so No. 18 stays in force)
CONTROL_2025 = ("china_no18_2025", "April 2025 licensing: magnet exports -75 % in June 2025 [china_magnet_drop_2025], "
                "licences flowing from July; estimate: -20 % over 2025")
DYTB_CONTROL = {2025: 0.5, 2026: 0.5}  # licensed share of the Dy/Tb export volume (estimate)


def cn_price(c: str, y: int) -> tuple[float, str]:
    """Chinese export price of commodity c in year y (USD/t) and how it is made."""
    ox = cn_ndpr(y)
    path = CN_NDPR_NOTE.get(y, CN_NDPR_NOTE["long"])
    if c == "ndpr_oxide":
        return ox, f"China NdPr oxide price path: {path}"
    if c == "ndpr_metal":
        return 1.2 * ox + 3000, (f"estimate: 1.2 t oxide per t metal x oxide price + USD 3/kg conversion (metal 66-68 "
                                 f"at oxide 53-55, Fastmarkets Apr 2024); oxide: {path}")
    if c == "magnet":
        return cn_magnet(y), (f"USD 49/kg (2024 export value) + 0.366 t NdPr oxide per t magnet x (oxide price - "
                              f"USD 54/kg); oxide: {path}")
    return DYTB_BASE, ("estimate: blend 84 % Dy at USD 224/kg (Adamas 2025 average) + 16 % Tb at ~USD 1,000/kg (Argus "
                       "pre-April 2025)")


for c, (v2024, src, vnote) in CN_VOLUME.items():
    for y in YEARS:
        g = world_base(y) / WORLD_2024
        price, pnote = cn_price(c, y)
        vol, cnote, csrc = v2024 * g, "", src
        if c == "magnet" and y == 2025:
            vol, cnote, csrc = vol * 0.8, "; " + CONTROL_2025[1], CONTROL_2025[0]
        if c == "dytb_oxide" and y in DYTB_CONTROL:
            vol, cnote, csrc = vol * DYTB_CONTROL[y], ("; April 2025 controls: estimate half the volume licensed at "
                                                      "the Chinese price"), "china_no18_2025"
        supply.append({"offer": f"cn_{c}_{y}", "region": "CN", "commodity": c, "first_year": y, "last_year": y,
                       "max_tpa": round(vol), "price_usd_per_t": round(price), "source": csrc,
                       "note": f"{vnote}; price {pnote}; estimate: export availability grows with ex-China demand "
                               f"(x{g:.2f} on 2024){cnote}"})
        if c == "dytb_oxide" and y in DYTB_CONTROL:
            supply.append({"offer": f"cn_dytb_oxide_spot_{y}", "region": "CN", "commodity": c, "first_year": y,
                           "last_year": y, "max_tpa": round(0.25 * v2024 * g), "price_usd_per_t": DYTB_ASK_2025,
                           "source": "argus_dytb_2025",
                           "note": "April 2025 controls: a further quarter of the volume at the European ask of May "
                                   "2025, Dy 700-1,000 and Tb 2,000-4,000 USD/kg blended 84/16 = USD 1,194/kg "
                                   "(Adamas: asks overstate the market [adamas_dy_2026])"})
        if c == "magnet":
            supply.append({"offer": f"cn_magnet_extra_{y}", "region": "CN", "commodity": c, "first_year": y,
                           "last_year": y, "max_tpa": round(0.25 * v2024 * g), "price_usd_per_t": round(price + 11000),
                           "source": "miit_horizon_2022",
                           "note": "estimate: spare Chinese capacity (~300 kt blanks vs ~175 kt used) offered USD "
                                   "11/kg above the first tranche (2024: 60 vs 49, the world average magnet value "
                                   "in prices.csv); 25 % of the first tranche"})
for r in DEMAND_REGIONS:
    for y in YEARS:
        q = scrap_t(r, y, COLLECT_BASE)
        supply.append({"offer": f"scrap_{r}_{y}", "region": r, "commodity": "scrap", "first_year": y, "last_year": y,
                       "max_tpa": round(q), "price_usd_per_t": 10000, "source": "lynas_asx_2022",
                       "note": f"estimate: end-of-life arisings = region's 2024 share x world use {MAGNET_LIFE} years "
                               f"earlier (demand.csv, back-cast at 8.7 %/yr) x collection {interp(y, COLLECT_BASE):.0%} "
                               "(<1 % recovered today [noveon_2023]; 20 % by 2040); price USD 10/kg, no data (about half "
                               "the contained NdPr value)"})
for o in supply:
    o["name"] = offer_name(o, REGION_NAMES)
sheets["supply"] = supply

# ------------------------------------------------------------------ sales: Chinese buyers of Western feed
CN_BUY = [  # commodity, t/yr, price(y), source, note
    ("ndpr_conc", 6400, lambda y: CONC_RATIO * cn_ndpr(y) / VAT, "mp_concentrate_2024",
     "MP sold 32,703 t REO of concentrate in 2024 (prices.csv) x 15.7 % NdPr = 5,134 t + Serra Verde ~1,250 t "
     "(offtake largely to Chinese processors) -> 6,400 t NdPr eq.; price 0.55 x ex-VAT oxide (USD 4.18/kg REO / "
     "0.157 = 26.6 at oxide 48-51, Q2 2024)"),
    ("dytb_conc", 1000, lambda y: CONC_RATIO * DYTB_BASE, "serra_verde_2024",
     "estimate: Chinese separators take Dy/Tb in concentrate (ionic clay MREC) at 0.55 of the Dy/Tb oxide blend; "
     "1,000 t/yr, above any Western surplus"),
    ("ndpr_oxide", 20000, lambda y: cn_ndpr(y) / VAT, "lynas_fy25",
     "estimate: Chinese magnet makers buy Western NdPr oxide at the Chinese price ex-VAT (Lynas reports the market "
     "price ex-VAT); 20,000 t/yr, above any Western surplus (China separates ~75-90 kt NdPr a year, projects.csv), "
     "so the Chinese price sets the value of Western oxide"),
    ("dytb_oxide", 500, lambda y: DYTB_BASE / VAT, "lynas_fy25",
     "estimate: Chinese magnet makers buy Western Dy/Tb oxide at the Chinese blend price ex-VAT (USD 348/kg / 1.13); "
     "500 t/yr, above any Western surplus"),
]
sheets["sales"] = [
    {"sale": f"cn_buy_{c}_{y}", "region": "CN", "commodity": c, "first_year": y, "last_year": y, "max_tpa": q,
     "price_usd_per_t": round(price(y)), "source": src,
     "note": f"{note}; oxide price path {CN_NDPR_NOTE.get(y, CN_NDPR_NOTE['long'])}"}
    for c, q, price, src, note in CN_BUY for y in YEARS]

# ------------------------------------------------------------------ stocks: strategic stockpiles (empty in the base)
STOCK_OF = {"magnet": cn_magnet(2027), "ndpr_oxide": cn_ndpr(2027), "dytb_oxide": DYTB_BASE}
sheets["stocks"] = [
    {"stock": f"strategic_{c}_{r}", "region": r, "commodity": c, "initial_t": 0, "max_t": 0,
     "holding_cost_usd_per_t": round(0.02 * v), "source": "obbba_2025",
     "note": "strategic stockpile, closed in the base (max_t 0), opened by the stockpile scenarios; holding cost "
             "estimate: 2 % of the value a year for storage and insurance (capital cost is the discount rate); "
             "US OBBBA USD 2bn for the National Defense Stockpile, Japan JOGMEC stockpiling [jogmec_2023]"}
    for r in ("US", "EU", "JP") for c, v in STOCK_OF.items()]
for st in sheets["stocks"]:
    st["name"] = stock_name(st)

# ------------------------------------------------------------------ trade
# Routes are listed by destination: each commodity may be shipped from anywhere to the regions
# that can use it (a separator, a metal or magnet maker, a demand region); this keeps the LP small.
def _users(*techs: str) -> list[str]:
    return sorted({p["region"] for p in projects if p["technology"] in techs})


USERS = {
    "ndpr_conc": _users("sep_light", "crack_leach"),
    "dytb_conc": _users("sep_heavy"),
    "mixed_re": _users("sep_light_mixed"),
    "ndpr_oxide": _users("metal"),
    "dytb_oxide": _users("ndfeb_sinter"),
    "ndpr_metal": _users("ndfeb_sinter"),
    "magnet": DEMAND_REGIONS,
    "fen_magnet": DEMAND_REGIONS,
    "scrap": _users("recycle_hydro", "recycle_hpms"),
}
sheets["trade"] = [
    {"from_region": "MM", "to_region": "*", "commodity": c, "max_tpa": 0, "source": "usgs_mcs_2025",
     "note": "Kachin concentrate is exported almost entirely to China for separation (listed first: wins ties)"}
    for c in ("ndpr_conc", "dytb_conc")]
sheets["trade"] += [
    {"from_region": "AU", "to_region": "*", "commodity": "ndpr_conc", "max_tpa": 0, "source": "lynas_fy25",
     "note": "Australian concentrate is processed in Australia (Lynas Kalgoorlie, Iluka Eneabba, Nolans) and "
             "Malaysia (as the Kalgoorlie intermediate); listed first: wins ties"},
    {"from_region": "*", "to_region": "BR", "commodity": "ndpr_conc", "max_tpa": 0, "source": "serra_verde_2024",
     "note": "Brazil separates only its own ore (none yet), so it cannot re-export other regions' concentrate to "
             "China; listed first: wins ties"},
    {"from_region": "*", "to_region": "BR", "commodity": "dytb_conc", "max_tpa": 0, "source": "serra_verde_2024",
     "note": "as for NdPr in concentrate"},
]
sheets["trade"] += [
    {"from_region": "MY", "to_region": "*", "commodity": c, "max_tpa": 0, "source": "iea_gcmo_2024",
     "note": "Malaysia bans exports of unprocessed rare earths (2023 policy, projects.csv); Malaysian ore is "
             "separated at home"}
    for c in ("ndpr_conc", "dytb_conc")]
sheets["trade"] += [
    {"from_region": "CN", "to_region": "US", "commodity": "magnet", "cost_usd_per_t": 200, "first_year": FIRST,
     "last_year": 2025, "source": "ustr_301_2024", "note": "freight only before the Section 301 tariff (1 Jan 2026)"},
    {"from_region": "CN", "to_region": "US", "commodity": "magnet", "cost_usd_per_t": round(0.25 * cn_magnet(2030)) + 200,
     "first_year": 2026, "source": "ustr_301_2024",
     "note": "Section 301: 25 % from 1 Jan 2026 of the long-run Chinese magnet price (USD 57/kg) + USD 200 freight"},
    # Chinese buyers (sheet sales) take Western concentrate and oxide
    {"from_region": "US", "to_region": "CN", "commodity": "ndpr_conc", "cost_usd_per_t": 200, "max_tpa": 2567,
     "last_year": 2025, "source": "mp_10q_q3_2025",
     "note": "MP ceased concentrate sales to China in July 2025: half of 2024's 32,703 t REO x 15.7 % NdPr; the "
             "route closes after 2025 (dated route)"},
    {"from_region": "US", "to_region": "CN", "commodity": "dytb_conc", "cost_usd_per_t": 200, "last_year": 2025,
     "source": "mp_10q_q3_2025", "note": "as the NdPr in the same concentrate: closes after 2025"},
    {"from_region": "BR", "to_region": "CN", "commodity": "*", "cost_usd_per_t": 200, "source": "serra_verde_2024",
     "note": "Serra Verde's offtake goes largely to Chinese processors; " + "estimate: freight USD 0.2/kg"},
    {"from_region": "*", "to_region": "CN", "commodity": "ndpr_oxide", "cost_usd_per_t": 200, "source": "lynas_fy25",
     "note": "Western oxide sold to Chinese magnet makers; estimate: freight USD 0.2/kg"},
    {"from_region": "*", "to_region": "CN", "commodity": "dytb_oxide", "cost_usd_per_t": 200, "source": "lynas_fy25",
     "note": "Western Dy/Tb oxide sold to Chinese magnet makers; estimate: freight USD 0.2/kg"},
]
FREIGHT = "estimate: ocean freight + insurance USD 0.2/kg (costs.csv)"
# Magnets are shipped only by China and by producer regions that import no magnets. A demand region
# that imports Chinese magnets could otherwise re-export them round the US Section 301 tariff and the
# EU supplier cap (a flow counts against the region that ships it, not the origin).
MAGNET_FROM = ["CN"] + [r for r in PRODUCER_REGIONS if r not in DEMAND_REGIONS]
for c, users in USERS.items():
    for r in users:
        if c == "magnet":
            for q in MAGNET_FROM:
                if (q, r) == ("CN", "US"):
                    continue  # the tariff row above
                sheets["trade"].append({"from_region": q, "to_region": r, "commodity": c, "cost_usd_per_t": 200,
                                        "source": "crma_2024",
                                        "note": FREIGHT + "; magnets move only from China and from producers that "
                                                "import none, so no region can re-export Chinese magnets round the "
                                                "EU 65 % cap or the US tariff"})
            continue
        sheets["trade"].append({"from_region": "*", "to_region": r, "commodity": c, "cost_usd_per_t": 200,
                                "source": "estimate", "note": FREIGHT})

# ------------------------------------------------------------------ budgets
# None: public money is grants, loans and offtakes for named plants, not a ceiling on what the West may
# build (private capital builds too); it enters as committed capacity, minimum output and the
# us_defence_support scenario's capex cut.
sheets["budgets"] = []

# ------------------------------------------------------------------ policies: EU CRMA (Reg. 2024/1252, Art. 5)
PENALTY = {"NdPr": (250000, "estimate: USD 250/kg, about twice the Feb 2026 NdPr peak of USD 123/kg (Reuters)"),
           "DyTb": (2400000, ("estimate: USD 2,400/kg, about twice the May 2025 European Dy/Tb blend ask "
                             "(Dy 700-1,000, Tb 2,000-4,000 USD/kg, Argus)"))}
policies = []
for m in ("NdPr", "DyTb"):
    pen, pnote = PENALTY[m]
    for g, share in (("extraction", 0.10), ("processing", 0.40), ("recycling", 0.25)):
        for basis in ("capacity", "output"):
            how = ("as Art. 5 words it (capacity able to produce)" if basis == "capacity" else
                   "the same benchmark on output, so idle plants do not meet it (reporting and costing)")
            policies.append({"policy": f"crma_{g}_{m}" + ("_output" if basis == "output" else ""), "region": "EU",
                             "material": m, "kind": "min_domestic_share", "stage": g, "share": share,
                             "first_year": 2030, "basis": basis, "penalty_usd_per_t": pen, "group": f"crma_{g}",
                             "source": "crma_2024",
                             "note": f"Art. 5(1)(a): Union {g} capacity able to produce {share:.0%} of annual "
                                     f"consumption by 2030; basis {basis}: {how}; soft: {pnote}"})
    for g in ("extraction", "processing", "manufacturing"):
        policies.append({"policy": f"crma_max_supplier_{g}_{m}", "region": "EU", "material": m,
                         "kind": "max_supplier_share", "stage": g, "share": 0.65, "first_year": 2030,
                         "basis": "output", "penalty_usd_per_t": pen, "group": "crma_65", "source": "crma_2024",
                         "note": f"Art. 5(1)(b): at most 65 % of consumption from one third country at any stage; "
                                 f"basis output (the shipper); scenario crma_by_origin counts Chinese work inside "
                                 f"what the EU consumes, whoever ships it (basis origin); soft: {pnote}"})
for p in policies:
    p["name"] = policy_name(p)
sheets["policies"] = policies

# ------------------------------------------------------------------ scenarios
scen = []


def S(scenario, sheet, where, column, op, value, source, note):
    scen.append({"scenario": scenario, "sheet": sheet, "where": where, "column": column, "op": op, "value": value,
                 "note": note, "source": source})


def ban(name: str, what: str) -> None:
    """China stops exports from 2027 (`what`: the supply `where` for the commodities cut)."""
    if what == "magnet":
        S(name, "supply", "region=CN; commodity=magnet; year>=2027", "max_tpa", "set", 0, "china_magnet_drop_2025",
          "China stops magnet exports from 2027 (Announcement No. 18 licensing cut magnet exports 75 % in June 2025)")
    else:
        S(name, "supply", "region=CN; year>=2027", "max_tpa", "set", 0, "china_no61_2025",
          "China stops all rare-earth exports (oxide, metal, Dy/Tb, magnets) from 2027 (Oct 2025 controls, suspended "
          "to Nov 2026 [pillsbury_2025], re-activated and widened)")


def stockpile(name: str) -> None:
    """Strategic stockpiles of a year's consumption open in the US, EU and Japan."""
    for r in ("US", "EU", "JP"):
        year = REGION_2024[r][0] * world_base(2027) / WORLD_2024
        for c, t in (("magnet", year), ("ndpr_oxide", year * 0.366), ("dytb_oxide", year * DYTB_OXIDE_PER_MAGNET)):
            S(name, "stocks", f"stock=strategic_{c}_{r}", "max_t", "set", round(t), "obbba_2025",
              f"estimate: stockpile room for one year of {r}'s 2027 magnet use ({year:,.0f} t) in {c} (US OBBBA "
              "USD 2bn National Defense Stockpile; Japan JOGMEC stockpiles)")


def defence(name: str) -> None:
    """US money as what it is: investment credits and grants (capex cut), 45X (running-cost cut), offtakes."""
    S(name, "projects", "region=US; max_new_tpa>0", "capex_usd_per_tpa", "scale", 0.7, "evac_sumter_2024",
      "48C investment credit 30 % (e-VAC got USD 111.8m on USD 506m) and DoD/OSC grants: US candidates' capex -30 %")
    for tech in ("sep_light", "sep_heavy", "metal"):
        S(name, "projects", f"region=US; technology={tech}", "var_cost_usd_per_t", "scale", 0.9, "csis_45x_2024",
          "45X: 10 % of production cost for Nd/Pr/Dy/Tb oxide and metal (not magnets); phase-down from 2031 ignored")
    S(name, "projects", "region=US; technology=ndfeb_sinter; max_new_tpa>0", "min_output_share", "set", 0.5,
      "mp_dod_8k_2025", "estimate: DoD offtakes like 10X's (100 % for 10 years) for half of any new US magnet plant")


def price_cut(name: str) -> None:
    """Predatory pricing: China sells and buys 30 % cheaper from 2027."""
    for sheet in ("supply", "sales"):
        S(name, sheet, "region=CN; year>=2027", "price_usd_per_t", "scale", 0.7, "fastmarkets_2024",
          "estimate: China prices 30 % lower from 2027, back to the 2024 trough (NdPr oxide 50-55 USD/kg, 'close to "
          "or below break-even', Fastmarkets) to undercut Western plants")


ban("china_magnet_ban_2027", "magnet")
ban("china_ree_ban_2027", "all")
ban("china_ree_ban_2027_stockpile", "all")
stockpile("china_ree_ban_2027_stockpile")
price_cut("china_price_cut")
price_cut("china_price_cut_defence")
defence("china_price_cut_defence")
defence("us_defence_support")
ban("ban_stockpile_defence", "all")
stockpile("ban_stockpile_defence")
defence("ban_stockpile_defence")
S("crma_by_origin", "settings", "key=track_origin", "value", "set", "CN", "crma_2024",
  "trace China's work at each stage through the chain (Art. 5(1)(b) 'from a single third country')")
S("crma_by_origin", "policies", "kind=max_supplier_share", "basis", "set", "origin", "crma_2024",
  "the 65 % caps count Chinese work inside what the EU consumes, whoever ships it")
S("no_crma", "policies", "kind=min_domestic_share", "share", "set", 0, "crma_2024", "no CRMA domestic benchmarks")
S("no_crma", "policies", "kind=max_supplier_share", "share", "set", 1, "crma_2024", "no CRMA supplier cap")
for y in YEARS:
    f = world_high(y) / world_base(y)
    S("high_demand", "demand", f"year={y}", "quantity_t", "scale", round(f, 4), "adamas_outlook_2040",
      f"Adamas 8.7 %/yr (703 kt in 2040) instead of the IEA-APS-consistent path: x{f:.3f} in {y}")
HIGH_MAX = max(world_high(y) / world_base(y) for y in YEARS)
for tech in ("std_from_ndfeb", "std_from_fen"):
    S("high_demand", "projects", f"technology={tech}", "existing_tpa", "scale", round(HIGH_MAX, 4), "adamas_outlook_2040",
      "accounting capacity for standard-grade duty grows with demand")
S("iron_nitride_breakthrough", "projects", "technology=fen_plant; max_new_tpa>0", "capex_usd_per_tpa", "scale", 0.5,
  "niron_2025", "estimate: iron nitride capex halves")
S("iron_nitride_breakthrough", "projects", "technology=fen_plant", "var_cost_usd_per_t", "scale", 0.7, "niron_2025",
  "estimate: conversion cost 30 % lower")
S("iron_nitride_breakthrough", "projects", "technology=fen_plant; max_new_tpa>0", "max_new_tpa", "scale", 3,
  "niron_2025", "estimate: three times the build potential per region")
S("iron_nitride_breakthrough", "projects", "technology=fen_plant; max_new_tpa>0", "earliest_start_year", "set", 2025,
  "niron_2025", "estimate: builds may start at once")
S("iron_nitride_breakthrough", "projects", "technology=fen_plant; max_new_tpa>0", "lead_time_years", "set", 1,
  "niron_2025", "Sartell groundbreaking Sep 2025 to operation early 2027 (~1.5 yr)")
S("iron_nitride_breakthrough", "projects", "project=niron_sartell", "committed_online_year", "set", 2026, "niron_2025",
  "estimate: Sartell a year early")
S("iron_nitride_breakthrough", "tech_io", "technology=std_from_fen; commodity=fen_magnet", "coefficient", "set", -1.2,
  "niron_2025", "estimate: better energy product, 1.2 t iron nitride per t NdFeB (content.csv range 1.3-2)")
for y in YEARS:
    f = interp(y, COLLECT_PUSH) / interp(y, COLLECT_BASE)
    if abs(f - 1) > 1e-9:
        S("recycling_push", "supply", f"commodity=scrap; year={y}", "max_tpa", "scale", round(f, 4), "ionic_2024",
          f"estimate: collection {interp(y, COLLECT_PUSH):.0%} instead of {interp(y, COLLECT_BASE):.0%} "
          "(content.csv: 30-50 % of end-of-life magnets collected by 2035 in a recycling push)")
S("recycling_push", "supply", "commodity=scrap", "price_usd_per_t", "set", 2000, "ionic_2024",
  "estimate: extended producer responsibility pays for collection and dismantling (Cyclic Mesa takes whole "
  "components [cyclic_mesa_2025]), so recyclers pay USD 2/kg of magnet instead of USD 10")
S("capex_plus_30", "projects", "max_new_tpa>0", "capex_usd_per_tpa", "scale", 1.3, "seadrift_2023",
  "capex 30 % higher (observed overruns 1.5-2.2x: Eneabba, Seadrift, Nolans; costs.csv)")
S("lead_time_plus_2", "projects", "max_new_tpa>0", "lead_time_years", "add", 2, "spglobal_leadtime_2023",
  "every candidate takes two more years (USAR Stillwater slipped 3 yr, Tyseley 2 yr; S&P 15.7 yr to production)")
sheets["scenarios"] = scen

# Monte Carlo (reeplan ensemble): the study's estimates as a strategist would doubt them.
sheets["uncertainty"] = [
    {"parameter": "western_capex", "sheet": "projects", "where": "region!=CN", "column": "capex_usd_per_tpa",
     "op": "scale", "distribution": "triangular", "a": 0.8, "b": 1.6, "c": 1.0, "source": "seadrift_2023",
     "note": "observed overruns 1.5-2.2x (Eneabba, Seadrift, Nolans; costs.csv); 20 % under at best"},
    {"parameter": "western_opex", "sheet": "projects", "where": "region!=CN", "column": "var_cost_usd_per_t",
     "op": "scale", "distribution": "uniform", "a": 0.85, "b": 1.3, "source": "estimate",
     "note": "estimate: most Western running costs are not published (see the projects' notes)"},
    {"parameter": "china_price", "sheet": "supply", "where": "region=CN", "column": "price_usd_per_t", "op": "scale",
     "distribution": "lognormal", "a": 1.0, "b": 0.25, "source": "reuters_prices_2026",
     "note": "NdPr oxide moved 47-123 USD/kg in 2025-26: a quarter's spread in the log"},
    {"parameter": "demand_growth", "sheet": "demand", "where": "year>=2030", "column": "quantity_t", "op": "scale",
     "distribution": "normal", "a": 1.0, "b": 0.12, "c": 0.6, "source": "adamas_outlook_2040",
     "note": "outlooks for 2030+ magnet demand differ by about an eighth; truncated at 60 %"},
    {"parameter": "lead_time_slip", "sheet": "projects", "where": "max_new_tpa>0", "column": "lead_time_years",
     "op": "add", "distribution": "discrete", "a": "0; 1; 2", "b": "3; 2; 1", "source": "spglobal_leadtime_2023",
     "note": "USAR Stillwater slipped 3 yr, Tyseley 2 yr; no slip is the likeliest"},
]

# The two-stage plan (reeplan solve --stochastic): whether China re-activates the October 2025 controls
# (suspended to November 2026 [pillsbury_2025]) and widens them to a full ban from 2027 is not known
# when the first builds start. Judgment: 30 % (China used licensing twice in 2025 [china_no61_2025] and
# suspended it once under a trade truce); the README shows the regret table, and 10 % / 50 % as a
# sensitivity. The branch year is 2027: decisions before it are shared.
sheets["stochastic"] = [
    {"scenario": "base", "probability": 0.7, "branch_year": 2027, "source": "pillsbury_2025",
     "note": "judgment: the 2025 controls stay suspended or licensed, no full ban"},
    {"scenario": "china_ree_ban_2027", "probability": 0.3, "branch_year": 2027, "source": "china_no61_2025",
     "note": "judgment: the October 2025 controls come back from 2027 as a full ban (two uses of licensing in 2025)"},
]


def write(path: Path) -> Path:
    extra = {s: ["source", "note"] for s in sheets if s not in ("sources", "scenarios")}  # stochastic included
    extra["scenarios"] = ["source"]
    out = write_study(path, settings, sheets, extra_columns=extra)
    wb = load_workbook(out)  # document the settings too (extra settings columns are ignored by the reader)
    ws = wb["settings"]
    ws.cell(1, 3, "source")
    ws.cell(1, 4, "note")
    ws.cell(1, 3).font = Font(bold=True)
    ws.cell(1, 4).font = Font(bold=True)
    for row in range(2, ws.max_row + 1):
        src, note = SETTINGS_DOC[ws.cell(row, 1).value]
        ws.cell(row, 3, src)
        ws.cell(row, 4, note)
    wb.save(out)
    return out


if __name__ == "__main__":
    import sys

    out = write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("western_ree_2040.xlsx"))
    print(f"wrote {out}")
