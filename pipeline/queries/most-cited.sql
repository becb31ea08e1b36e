-- name: most-cited
-- description: The most cited documents: citations, reports citing them, the
--   distinct dates they are cited with (more than one is worth a look), the
--   issuer most often named and the fullest trích yếu seen.
select
    cited as document,
    mode(doc_type) as doc_type,
    count(*) as citations,
    count(distinct doc_id) as reports,
    count(distinct issued_date) as date_variants,
    list(distinct issued_date order by issued_date) filter (where issued_date is not null) as dates,
    mode(issuer) as issuer,
    arg_max(subject, length(subject)) as subject
from citations
where cited is not null
group by cited
order by citations desc, reports desc, document
