"""The published sources behind every default, keyed so code and text can cite them.

Each entry is ``key: (basis, citation)``. The basis codes are DOMAIN.md's:
``S`` primary source, ``S2`` secondary reporting of a primary source, ``D`` derived by
arithmetic from sourced numbers, ``A`` an assumption or design choice (a tunable
default), ``K`` background knowledge not checked against a source.

The data card (``data/synthetic/DATACARD.md``) and the lessons quote these entries, so a
number a trainee sees can always be traced to where it came from.
"""

from __future__ import annotations

SOURCES: dict[str, tuple[str, str]] = {
    "phq9_bands": (
        "S",
        "MMWR QuickStats 67(9):287 (2018), from NCHS Data Brief 303 (Brody, Pratt, Hughes "
        "2018): PHQ-9 bands in US adults 20+, 2013-16: 76.3 % none/minimal, 15.6 % mild, "
        "5.1 % moderate, 2.9 % moderately severe or severe.",
    ),
    "phq9_shape": (
        "S",
        "Tomitaka et al. 2018, Front Psychiatry 9:390, doi:10.3389/fpsyt.2018.00390: the "
        "PHQ-9 total declines exponentially above the low end.",
    ),
    "grm": (
        "A",
        "Design proposal (DOMAIN.md a.4): a latent trait drives the items through a "
        "graded-response model, thresholds fitted to the published bands "
        "(scripts/calibrate_cohort.py shows the fit).",
    ),
    "item9": (
        "S",
        "NHANES 2005-2010 analysis of PHQ-9 item 9 (PMC5942185): 3.5 % answer item 9 "
        "above 'not at all'.",
    ),
    "gad7": (
        "S",
        "Terlizzi & Zablotsky, NCHS NHSR 213 (2024): 15.6 % of US adults had anxiety "
        "symptoms (GAD-7 >= 5) in 2019, of which 3.4 % moderate and 2.7 % severe (band "
        "split from NCHS Data Brief 378 via secondary summaries, S2), so about 6.1 % "
        "score >= 10 and 2.7 % >= 15, the targets used here. Loewe et al. 2008, Med Care "
        "46(3):266 (doi:10.1097/MLR.0b013e318160d093; German norms: about 5 % >= 10): "
        "women score higher than men.",
    ),
    "dep_anx_corr": (
        "S",
        "Loewe et al. 2008, Med Care 46(3):266: the PHQ-2 and the GAD-7 correlate at "
        "r = 0.64. The sourced calibration fits the latent correlation (0.79) so that the "
        "observed answers reach it (scripts/calibrate_cohort.py); the lessons' calibration "
        "sets the latent correlation to 0.65 (A), which gives an observed 0.39.",
    ),
    "item_pattern": (
        "S",
        "Tomitaka et al. 2018, BMC Psychiatry 18:108 (doi:10.1186/s12888-018-1696-9; "
        "NHANES 2013-14, 5,372 adults): on every PHQ-9 item the answers from 'several "
        "days' to 'nearly every day' fall along parallel lines on a log scale, and the "
        "total declines exponentially. The target ratio 'more than half the days' / "
        "'nearly every day' = 1.3 on every item, PHQ-9 and GAD-7, is an assumption "
        "within that pattern (A).",
    ),
    "sex_gradient": (
        "S",
        "NCHS Data Brief 303: PHQ-9 >= 10 in 10.4 % of women and 5.5 % of men. The "
        "non-binary category and its shift are an assumption (A).",
    ),
    "income_gradient": (
        "S2",
        "NCHS Data Brief 303 via summaries: PHQ-9 >= 10 by family income: < 100 % of the "
        "federal poverty level 15.8 %, 100-199 % 10.9 %, 200-399 % 7.8 %, >= 400 % 3.5 %.",
    ),
    "ethnicity_prevalence": (
        "S",
        "NCHS Data Brief 303 and NHSR 213: near-equal prevalence across groups, lowest in "
        "Asian adults (PHQ-9 >= 10 in 3.1 %, about half the average).",
    ),
    "age_gradient": (
        "S2",
        "NSDUH 2021 (NIMH statistics page): past-year major depressive episode 18.6 % at "
        "18-25, 9.3 % at 26-49, 4.5 % at 50+. NHANES PHQ-9 >= 10 shows no significant "
        "age gradient (DB303), so the gradient is a switch, off by default.",
    ),
    "rural_gradient": (
        "S",
        "NHSR 213: any anxiety symptoms 20.5 % non-metropolitan vs 16.6 % large central "
        "metro; Kirby et al. 2019, Health Aff (doi:10.1377/hlthaff.2019.00369): fewer "
        "mental-health visits in rural areas. Multipliers (prevalence x1.15, specialty "
        "access x0.7) are DOMAIN.md's proposed defaults (A).",
    ),
    "demographics": (
        "K",
        "Approximate US adult population shares (age, sex, ethnicity, income, insurance, "
        "limited English proficiency, rurality). Background knowledge, not checked "
        "against a source: the cohort is a teaching population, not a census.",
    ),
    "screening": (
        "S",
        "Akincigil & Matthews 2017, Psychiatr Serv (doi:10.1176/appi.ps.201600096): "
        "African American and older patients were about half as likely to be screened; "
        "Hahm et al. 2015: Asian patients less often screened. Base rates per setting "
        "are assumptions (A).",
    ),
    "diagnosis_by_insurance": (
        "S",
        "Meiselbach et al. 2024, Health Affairs Scholar 2(3): among people with "
        "moderately severe to severe symptoms, no diagnosis in 41.0 % (commercial), "
        "28.1 % (Medicare), 33.6 % (Medicaid), 56.3 % (uninsured).",
    ),
    "diagnosis_by_ethnicity": (
        "S",
        "Trinh et al. 2011, Prim Health Care 1:1000106: all minority groups less likely to "
        "have a depression diagnosis recorded; 11.36 % of White primary-care patients had "
        "one. The size of the multiplier (x0.75) and the split of diagnoses between "
        "symptom bands are assumptions (A).",
    ),
    "treatment_by_ethnicity": (
        "S",
        "Alegria et al. 2008, Psychiatr Serv 59(11):1264 (PMC2668139): no past-year "
        "treatment among people with a depressive disorder: Latino 63.7 %, Asian 68.7 %, "
        "African American 58.8 %, non-Latino White 40.2 %; ratios of treated shares "
        "relative to White patients: Latino 0.61, Asian 0.52, African American 0.69 (D). "
        "Shim et al. 2011, JABFM 24(1):33 (PMC3161724): 36.9 % of people with severe "
        "depressive symptoms received no treatment.",
    ),
    "treatment_by_sex": (
        "S2",
        "NIMH/SAMHSA (NSDUH) figures as quoted in secondary sources: among adults with a "
        "major depressive episode, 71.6 % of women and 58.8 % of men received treatment "
        "(ratio 1.22). Non-binary patients as women (A).",
    ),
    "treatment_by_insurance": (
        "S",
        "Walker et al. 2015, Psychiatr Serv 66(6):578 (PMC4461054): insurance predicts "
        "treatment (private AOR 1.63, Medicaid AOR 2.66 vs uninsured).",
    ),
    "lep_access": (
        "S",
        "Bauer, Chen, Alegria 2010, Med Care 48(12):1097; Garcia et al. 2020, JGIM "
        "35(4):1245: limited English proficiency lowers service use. Multiplier 0.65 on "
        "access is DOMAIN.md's proposed default (A).",
    ),
    "cost_proxy": (
        "S",
        "Obermeyer et al. 2019, Science 366:447 (doi:10.1126/science.aax2342): at equal "
        "illness, less is spent on patients with less access, so cost is a biased proxy "
        "for need. Unit costs per visit are assumptions (A).",
    ),
    "crisis_item9": (
        "S",
        "Simon et al. 2013, Psychiatr Serv 64(12):1195 (doi:10.1176/appi.ps.201200587): "
        "one-year suicide-attempt risk rises from 0.4 % (item 9 'not at all') to 4 % "
        "('nearly every day'). Louzon et al. 2016: 71.6 % of suicides were in people who "
        "answered 'not at all'.",
    ),
    "crisis_definition": (
        "A",
        "A crisis is a suicide attempt, an act of self-harm that reaches care, or an "
        "emergency visit for a mental-health crisis, within 12 months of the screening "
        "visit: the horizon of DOMAIN.md a.2's primary-care rate (self-harm or ED crisis "
        "within 12 months) and of Simon et al. 2013's item-9 gradient (one-year attempts); "
        "the bundle follows DOMAIN.md a.2's 'self-harm or ED crisis'. Simon et al. 2018 "
        "and Coley et al. 2021 count 90 days; their figures are checked on a 90-day "
        "cohort.",
    ),
    "crisis_rate": (
        "D",
        "Rates within 12 months. Primary care 0.75 %: the middle of DOMAIN.md a.2's "
        "0.5-1 % for self-harm or an emergency crisis within 12 months in a primary-care "
        "depression cohort (A, anchored on Simon 2013 and Simon 2018). Specialty care "
        "2.5 %: Simon et al. 2018 (doi:10.1176/appi.ajp.2018.17101167) give a 5.4 % 90-day "
        "attempt rate in the riskiest 5 % of specialty visits, which held 43 % of "
        "attempts, so about 0.63 % over all visits (D: 5 % x 5.4 % / 43 %), held as a "
        "constant hazard over a year (D: 1 - (1 - 0.0063)^4). General population 0.4 %: "
        "half the primary-care rate (A; DOMAIN.md gives no general-population rate; it "
        "equals Simon 2013's one-year attempt rate at item 9 'not at all').",
    ),
    "crisis_model_auc": (
        "S",
        "Simon et al. 2018, Am J Psychiatry, doi:10.1176/appi.ajp.2018.17101167: the 90-day "
        "suicide-attempt model, on hundreds of health-record predictors, had a C-statistic "
        "(AUC) of 0.851; Coley et al. 2021 (doi:10.1001/jamapsychiatry.2021.0493): logistic "
        "AUC 0.828 for White patients. A model cannot beat the true risk it predicts, so "
        "the true risk of a faithful cohort separates crises at least this well.",
    ),
    "crisis_concentration": (
        "S",
        "How crisis risk concentrates. Simon et al. 2013, Psychiatr Serv 64(12):1195: "
        "one-year attempt risk 0.4 % at item 9 'not at all' and 4 % at 'nearly every day' "
        "(about 10x); Rossom et al. 2017 (PMC5412508): 5-8x the odds within 30 days. "
        "Louzon et al. 2016 (doi:10.1176/appi.ps.201500149): 71.6 % of suicides were in "
        "people who answered 'not at all'. Simon et al. 2018: the riskiest 5 % of visits "
        "held 43 % of attempts and 48 % of deaths, with a 90-day attempt PPV of 5.4 %. "
        "In the sourced calibration prior self-harm (odds x13, about 5 % of primary-care "
        "patients) is an assumption (A); the severity slope and item-9 weight are fitted "
        "by scripts/calibrate_cohort.py.",
    ),
    "prior_self_harm": (
        "A",
        "A history of self-harm raises crisis risk; prevalence and its documentation "
        "rate are assumptions. Coley et al. 2021, JAMA Psychiatry "
        "(doi:10.1001/jamapsychiatry.2021.0493) show what under-documentation does.",
    ),
    "obermeyer_programme": (
        "S",
        "Obermeyer et al. 2019, Science 366:447 (doi:10.1126/science.aax2342): an "
        "algorithm trained on cost chose patients for a care-management programme; "
        "removing the bias would raise the share of Black patients among those "
        "auto-identified (above the 97th percentile of risk) from 17.7 % to 46.5 %, and "
        "at the same risk score Black patients had more chronic illnesses.",
    ),
    "access_gap": (
        "S",
        "Obermeyer et al. 2019, Science 366:447 (doi:10.1126/science.aax2342): at the "
        "same number of chronic illnesses less was spent on Black patients' care, so a "
        "model trained on cost ranked them as healthier. The cohort already carries the "
        "sourced US gaps in diagnosis and treatment (DOMAIN.md a.3); how much more care "
        "the lever withholds is a teaching choice (A).",
    ),
    "undersampling": (
        "A",
        "Under-sampling a group in the training data is a teaching lever: models learn "
        "least about the groups they see least (Suriyakumar et al. 2021, FAccT, 'Chasing "
        "Your Long Tails', arXiv 2010.06667). The resting value keeps everybody.",
    ),
    "phq9_dif": (
        "S",
        "DOMAIN.md a.3: PHQ-9 differential item functioning across languages is mostly "
        "small: minor DIF on 3 of 9 items between English and French (Arthurs et al. "
        "2012, PLoS One, doi:10.1371/journal.pone.0052028), German vs Turkish DIF on "
        "sleep, appetite and anhedonia (Reich et al. 2018, BMC Psychology, "
        "doi:10.1186/s40359-018-0238-z), NHANES DIF items < 0.42 logits. The lever's "
        "sizes (0.2-0.5 logits on items 1, 3 and 5 for a language group) are DOMAIN.md's "
        "proposed toggle (A); the slider goes further to show a large bias.",
    ),
    "self_harm_documentation": (
        "S",
        "Coley et al. 2021, JAMA Psychiatry (doi:10.1001/jamapsychiatry.2021.0493, "
        "PMC8082428): suicide prediction models from health records: AUC 0.83 for White "
        "patients (logistic regression) but 0.64 with no race recorded and 0.60 for "
        "American Indian/Alaska Native patients; sensitivity 41 % for White and 3 % for "
        "Black patients (second model, as reported by MDedge, S2). Under-recorded "
        "mental-health history is one proposed reason; the size of the lever is a "
        "teaching choice (A).",
    ),
    "mitigations": (
        "S",
        "fairlearn (Weerts et al. 2023, JMLR 24(257)): ThresholdOptimizer (Hardt, Price, "
        "Srebro 2016: per-group thresholds for equal opportunity) and "
        "ExponentiatedGradient (Agarwal et al. 2018: a reduction to constrained "
        "training). Obermeyer et al. 2019, Science 366:447: re-labelling on a direct "
        "measure of health instead of cost. Coley et al. 2021: per-group thresholds "
        "helped some groups and hurt others.",
    ),
    "consent": (
        "S",
        "Jacobsen et al. 1999, Mayo Clin Proc 74(4):330: 3.2 % refused research use of "
        "records; women 1.7x and under-60s 4.5x as likely; patients with mental-health "
        "diagnoses more likely to refuse. Kho et al. 2009, BMJ 338:b866: 66.9 % consented "
        "in prospective studies. Multipliers for diagnosis and PHQ-9, and the refusal "
        "rates for model training (5 %) and commercial sharing (67 %), are assumptions "
        "(A).",
    ),
    "quasi_identifiers": (
        "S2",
        "Sweeney 2000 (via johndcook.com): ZIP5 + sex + date of birth single out about "
        "87 % of US residents, whose ZIP codes hold about 9,000 people each. ZIP codes "
        "here are synthetic; the town the patients live in holds about 6,000 adults per "
        "ZIP5 code, sized so that 87 % of them are unique (A).",
    ),
    "synthetic_names": (
        "A",
        "Names are drawn from fixed lists, independently of every other column: they "
        "carry no information and belong to no real patient.",
    ),
    "intake_month": (
        "A",
        "A month-of-intake index (0-23) so later lessons can make the population drift "
        "(DOMAIN.md a.4, step 7).",
    ),
    "consent_design": (
        "S",
        "Kho et al. 2009, BMJ 338:b866: 66.9 % of 161,604 eligible patients consented to "
        "the use of their records when asked to opt in (so about 33 % are left out). "
        "Jacobsen et al. 1999, Mayo Clin Proc 74(4):330: 3.2 % refused under an opt-out "
        "authorisation law, 20.7 % if non-responders count as refusing. The cohort's 5 % "
        "opt-out from model training and the 12 % under a layered design (asked use by "
        "use, so few fail to answer) are assumptions (A).",
    ),
    "secondary_use": (
        "S2",
        "Crisis Text Line shared 'anonymised' conversation data with its for-profit "
        "spin-off Loris.ai (Politico, January 2022); the FTC's 2023 BetterHelp order banned "
        "sharing health data for advertising even with consent (FTC press release; WSGR "
        "summary). Who agrees to sharing: about a third under opt-in (the cohort's "
        "consent_sharing), 10 % refuse under opt-out and 50 % under a layered design (A).",
    ),
    "meaningful_consent": (
        "A",
        "Share of the patients whose records are used who knew of the use and agreed to "
        "it: 10 % behind long opt-out terms, 75 % when asked use by use, 90 % when they "
        "opted in. A teaching assumption (DOMAIN.md scenario 3: 'the fraction of users who "
        "meaningfully consented under each design (A)').",
    ),
    "crisis_text_line": (
        "S2",
        "Crisis Text Line and Loris.ai (2022): Politico reported that the non-profit "
        "shared 'anonymised' conversation data with its for-profit spin-off, which built "
        "customer-service 'empathy' software; users saw a privacy agreement of about 50 "
        "paragraphs; sharing ended about three days later. siliconrepublic.com (2 Feb "
        "2022); futurism.com (quoting Politico); benton.org (FCC letter).",
    ),
    "betterhelp": (
        "S2",
        "FTC order against BetterHelp (2023): it promised privacy yet shared email "
        "addresses, IP addresses and health-questionnaire answers with Facebook, "
        "Snapchat, Criteo and Pinterest for advertising; $7.8 M in refunds and a ban on "
        "sharing health data for advertising even with consent. FTC press release "
        "(mirrored); wsgrdataadvisor.com (March 2023).",
    ),
    "koko": (
        "S2",
        "Koko (October 2022, disclosed January 2023): about 4,000 people received "
        "GPT-3-drafted peer-support replies across roughly 30,000 messages, without "
        "being told; the co-founder first argued informed consent was not needed. NBC "
        "News (nbcnews.com, rcna65110).",
    ),
    "oversight_modes": (
        "S2",
        "Who acts on a flag: REACH VET has a clinician review and reach out to every "
        "flagged veteran (McCarthy et al. 2021, JAMA Netw Open); NEDA closed its staffed "
        "helpline (about 70,000 users the year before) and pointed users to the 'Tessa' "
        "chatbot, which gave weight-loss advice and was disabled on 30 May 2023 (KFF "
        "Health News / NPR; Business Insider; DOMAIN.md scenario 5). The three modes are "
        "a teaching proposal (A).",
    ),
    "review_capacity": (
        "A",
        "One care manager does about 15-25 chart reviews or outreach contacts a day "
        "(DOMAIN.md d.2: no direct source found; an assumption made a slider). At about "
        "20 minutes each that is a working day; the resting value, 10 new flags a day, "
        "leaves the other half for the patients already in care.",
    ),
    "screening_days": (
        "A",
        "The lesson's 60,000 patients are screened over 60 working days (12 weeks), "
        "about 1,000 a day, so that a daily review capacity means something. A flag not "
        "reviewed on its day is not followed up.",
    ),
    "reach_vet": (
        "S",
        "REACH VET flags the top 0.1 % of suicide risk per facility each month; clinicians "
        "review and reach out to each flagged veteran (McCarthy et al. 2021, JAMA Netw "
        "Open; GAO-22-105165). Capture by tier: top 1 % of risk held 10.7 % and top 5 % "
        "28.1 % of suicides (Kessler et al. 2017, PMC5614864); the top 5 % held 43-48 % "
        "of events with a 90-day attempt PPV of 5.4 % (Simon et al. 2018, Am J "
        "Psychiatry, doi:10.1176/appi.ajp.2018.17101167).",
    ),
    "reviewer_accuracy": (
        "S",
        "Jabbour et al. 2023, JAMA (PMC10731487): 457 hospital clinicians were 73.0 % "
        "accurate without AI advice.",
    ),
    "automation_bias": (
        "S",
        "Lyell et al. 2017, BMC Med Inform Decis Mak 17:28 (doi:10.1186/"
        "s12911-017-0425-5): 51.7-65.8 % of participants followed false-positive advice "
        "(commission errors); wrong or silent decision support raised omission errors by "
        "24.5-33.3 %. DOMAIN.md d.1's teaching model: follow wrong advice with "
        "probability 0.5-0.65; the resting value 60 % lies in that range (A).",
    ),
    "ai_advice": (
        "S",
        "Jabbour et al. 2023, JAMA (PMC10731487): accuracy +2.9 points with correct AI "
        "advice, +4.4 with an explanation; -11.3 points with systematically biased "
        "advice, -9.1 with an explanation (the 2.3-point recovery was not significant). "
        "Here an explanation leaves 9.1 / 11.3 of the automation bias (D).",
    ),
    "reviewer_clarity": (
        "A",
        "The reviewer's error is halved on a clear case (what the patient reports on "
        "PHQ-9 item 9 points the same way as what will happen) and half as large again "
        "on an unclear one: an assumption. Goddard et al. 2012 (verification complexity) "
        "and Louzon et al. 2016 (most crises follow item 9 = 0) give its direction, no "
        "source its size.",
    ),
    "reviewer_training": (
        "S",
        "Goddard, Roudsari, Wyatt 2012, JAMIA 19(1):121; Lyell & Coiera 2017, JAMIA "
        "24(2):423: automation bias rises with workload and time pressure and falls with "
        "training and accountability. Halving it with training is an assumption (A).",
    ),
    "alert_fatigue": (
        "S",
        "Ancker et al. 2017, BMC Med Inform Decis Mak 17:36 (doi:10.1186/"
        "s12911-017-0430-8): reminder acceptance fell 30 % for each additional reminder "
        "per encounter; DOMAIN.md d.2's teaching model P(accept) = p0 x 0.7^(alerts - 1).",
    ),
    "escalation_item9": (
        "S",
        "PHQ-9 item 9 and risk: one-year attempt risk 0.4 % ('not at all') to 4 % "
        "('nearly every day') (Simon et al. 2013, Psychiatr Serv 64(12):1195); but 71.6 % "
        "of suicides were in people who answered 'not at all' (Louzon et al. 2016). An "
        "escalation-to-human rule is DOMAIN.md scenario 5's toggle (Tessa, A).",
    ),
    "minutes_per_review": (
        "D",
        "About 20 minutes per review: 15-25 reviews a day (DOMAIN.md d.2, A) in a working "
        "day of about 7 hours.",
    ),
    "sweeney_release": (
        "S2",
        "Sweeney 2000, Simple Demographics Often Identify People Uniquely (via "
        "johndcook.com): a 'de-identified' hospital release kept ZIP code, date of birth "
        "and sex, which single out about 87 % of US residents; linked to a voter roll "
        "(names, ZIP, date of birth, sex) it named patients. Rocher, Hendrickx, de Montjoye "
        "2019, Nat Commun 10:3069 (S): 15 demographic attributes re-identify 99.98 % of "
        "Americans. Releasing ethnicity and language by default is a teaching choice (A).",
    ),
    "k_anonymity": (
        "S",
        "El Emam et al. 2009, JAMIA 16(5):670 (k-anonymity by generalising and "
        "suppressing, the Datafly algorithm among those compared); El Emam et al. 2011, BMC "
        "Med Inform Decis Mak 11:53: a re-identification threshold of 0.04-0.05 means "
        "k of about 20-25 (D), and small regions and rare age groups were suppressed most. "
        "Small cells under 11 are suppressed by CMS convention (K). No k (k = 1) at rest "
        "and the 5 % suppression limit are teaching defaults (A).",
    ),
    "dp_epsilon": (
        "A",
        "DOMAIN.md d.3 proposes epsilon in {infinity, 8, 3, 1, 0.5} following Suriyakumar "
        "et al. 2021, FAccT ('Chasing Your Long Tails', arXiv 2010.06667; S, qualitative): "
        "differential privacy costs small groups the most. Exact counts at rest; the "
        "discrete Laplace mechanism with OpenDP's calibration.",
    ),
    "public_register": (
        "A",
        "A synthetic voter roll: 80 % of a synthetic town of 7.6 million adults (ZIP codes "
        "of realistic size, the clinic's patients among them), with name, ZIP code, date "
        "of birth, sex and ethnicity (some US voter rolls record race or ethnicity, K).",
    ),
}


def cite(key: str) -> str:
    """Return ``"citation (basis)"`` for a source key.

    Examples
    --------
    >>> cite("item9").endswith("(S)")
    True
    """
    basis, text = SOURCES[key]
    return f"{text} ({basis})"
