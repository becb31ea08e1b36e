-- name: quantities-by-unit
-- description: Stated quantities by unit and kind: how many, in how many
--   reports, and the smallest, median and largest value.
select
    coalesce(unit, '(no unit)') as unit,
    kind,
    count(*) as quantities,
    count(distinct doc_id) as reports,
    min(value) as min_value,
    median(value) as median_value,
    max(value) as max_value
from quantities
group by all
order by quantities desc, unit, kind
