-- name: nq57-by-province
-- description: Citations of the 57-NQ/TW family (view nq57_family) per province
--   and report: all family citations, those of 57-NQ/TW itself, the distinct
--   members cited and which. A report whose province is not known shows as
--   (unknown); a report that cites no member shows with zeros.
with family_citations as (
    select c.doc_id, c.cited, f.depth
    from citations as c
    join nq57_family as f on f.doc_key = c.cited_key
)
select
    coalesce(d.province, '(unknown)') as province,
    d.source_path as report,
    d.period_start,
    d.period_end,
    count(fc.cited) as family_citations,
    count(fc.cited) filter (where fc.depth = 0) as nq57_citations,
    count(distinct fc.cited) as members_cited,
    list(distinct fc.cited order by fc.cited) filter (where fc.cited is not null) as members
from documents as d
left join family_citations as fc using (doc_id)
group by d.province, d.source_path, d.period_start, d.period_end
order by d.province is null, d.province, report
