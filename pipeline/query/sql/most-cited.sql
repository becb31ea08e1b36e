-- name: most-cited
-- description: The most cited documents (the registry, cited_documents):
--   citations, reports citing them, the dates they are cited with (more than
--   one is worth a look), the consensus date, issuer and province, and the
--   fullest trích yếu seen.
select
    code as document,
    doc_type,
    mentions as citations,
    reports,
    len(date_variants) as date_variants,
    list_sort([v.date for v in date_variants]) as dates,
    issued_date,
    issuer,
    province,
    subject,
    doc_key
from cited_documents
order by citations desc, reports desc, document, doc_key
