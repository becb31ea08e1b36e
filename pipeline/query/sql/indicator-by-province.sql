-- name: indicator-by-province
-- description: The tracked indicators (quantities.indicator) province by
--   province and year, to compare places and periods: per indicator, kind,
--   unit, province and year, the reports stating it, how many results, their
--   smallest, median and largest value, and how many targets with their median.
--   The year is the one stated for the figure, else the end of the report's
--   period, else the report's own date; changes and other figures are left
--   out, and a report whose province is not known shows as (unknown).
with figures as (
    select
        q.doc_id, q.indicator, q.kind, q.unit, q.role, q.value,
        coalesce(d.province, '(unknown)') as province,
        coalesce(q.year, year(d.period_end), year(d.report_date)) as year
    from quantities as q
    join documents as d using (doc_id)
    where q.indicator is not null and q.role in ('result', 'target')
)
select
    indicator,
    kind,
    coalesce(unit, '(no unit)') as unit,
    province,
    year,
    count(distinct doc_id) as reports,
    count(*) filter (where role = 'result') as results,
    min(value) filter (where role = 'result') as min_result,
    median(value) filter (where role = 'result') as median_result,
    max(value) filter (where role = 'result') as max_result,
    count(*) filter (where role = 'target') as targets,
    median(value) filter (where role = 'target') as median_target
from figures
group by indicator, kind, unit, province, year
order by indicator, kind, unit, province = '(unknown)', province, year nulls last
