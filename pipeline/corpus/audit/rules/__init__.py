"""The audit's rules, one module each (registered with pipeline.corpus.audit.rule; run in module name order).

Over citations:
- code_variant          the same number, type and date cited under two codes in the corpus (2361/QĐ-TTTT and
                        2361/QĐ-BTTTT of 31/12/2024): one is likely a typo
- date_conflict         one document, different dates: within a report, against the gazetteer's known date,
                        or against the corpus consensus
- date_impossible       dated after the report, in the future, a normative code whose year is not its date's,
                        issued after it took effect, or when its issuer did not exist
- issuer_conflict       a known document attributed to another body than the one that issued it (57-NQ/TW is
                        the Politburo's, not the Central Committee's)
- issuer_mismatch       the stated issuer cannot issue that code (a /BCĐ plan said to be the central steering
                        committee's)
- malformed_code        an issuer part one edit from a known one (NQ-HDND, NĐ-PC), a normative code without
                        its year, a party code written state-style (02/KH-TW)
- superseded_reference  a report rests on a document the gazetteer knows was replaced before the report's date
- type_code_mismatch    the type word disagrees with the code (Quyết định số 327/KH-UBND)
Over quantities:
- quantity_inconsistent a ratio and its percentage disagree (18/20 = 90%), a part larger than its whole,
                        listed parts adding up to more
"""
