-- name: citations-by-type
-- description: Citations by document type: occurrences, distinct documents
--   cited, reports citing the type, and how many occurrences are short forms
--   (Nghị quyết 57) or sit in footnotes.
select
    coalesce(doc_type, '(unknown)') as doc_type,
    count(*) as citations,
    count(distinct cited_key) as documents,
    count(distinct doc_id) as reports,
    count(*) filter (where is_short_form) as short_forms,
    count(*) filter (where in_footnote) as in_footnotes
from citations
group by all
order by citations desc, doc_type
