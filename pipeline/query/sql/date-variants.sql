-- name: date-variants
-- description: Cited documents cited with more than one date (02-KH/BCĐTW as
--   16/6 and 19/6/2025): one row per document and date, with the reports that
--   give that date. Documents are told apart by the registry: the same code of
--   two provinces is two documents, not one with two dates.
with dated as (
    select cited_key, cited, issued_date, doc_id, source_path
    from citations
    where cited_key is not null and issued_date is not null
),
varying as (
    select cited_key from dated group by cited_key having count(distinct issued_date) > 1
)
select
    any_value(cited) as document,
    issued_date as date,
    count(*) as citations,
    count(distinct doc_id) as reports,
    list(distinct source_path order by source_path) as cited_by,
    cited_key as doc_key
from dated
semi join varying using (cited_key)
group by cited_key, issued_date
order by document, doc_key, date
