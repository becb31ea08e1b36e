-- name: date-variants
-- description: Documents cited with more than one date (02-KH/BCĐTW as 16/6 and
--   19/6/2025): one row per document and date, with the reports that give that
--   date. The same code issued by two bodies (01-KH/BCĐ of two provinces) also
--   shows here until the registry tells them apart.
with dated as (
    select cited, issued_date, doc_id, source_path
    from citations
    where cited is not null and issued_date is not null
),
varying as (
    select cited from dated group by cited having count(distinct issued_date) > 1
)
select
    cited as document,
    issued_date as date,
    count(*) as citations,
    count(distinct doc_id) as reports,
    list(distinct source_path order by source_path) as cited_by
from dated
semi join varying using (cited)
group by cited, issued_date
order by document, date
