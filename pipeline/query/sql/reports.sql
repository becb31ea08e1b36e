-- name: reports
-- description: One row per report: its province, period and title, and how many
--   citations (57-NQ/TW family among them), quantities, agency mentions and
--   findings it has.
with
cites as (
    select
        c.doc_id,
        count(*) as citations,
        count(*) filter (where c.cited_key in (select doc_key from nq57_family)) as family_citations
    from citations as c
    group by c.doc_id
),
q as (select doc_id, count(*) as quantities from quantities group by doc_id),
a as (select doc_id, count(*) as agency_mentions from agencies group by doc_id),
f as (select doc_id, count(*) as findings from findings group by doc_id)
select
    d.source_path as report,
    d.province,
    d.period_start,
    d.period_end,
    d.title,
    coalesce(cites.citations, 0) as citations,
    coalesce(cites.family_citations, 0) as family_citations,
    coalesce(q.quantities, 0) as quantities,
    coalesce(a.agency_mentions, 0) as agency_mentions,
    coalesce(f.findings, 0) as findings
from documents as d
left join cites using (doc_id)
left join q using (doc_id)
left join a using (doc_id)
left join f using (doc_id)
order by report
