-- view: citations
-- description: The references table with two more columns from the registry
--   of cited documents: `cited_key`, the cited document's key
--   (cited_documents.doc_key: the same code of two provinces, or of two years,
--   are two documents), and `cited`, its code as the registry writes it (the
--   law's name for a law cited by name). Both are null for a citation the
--   registry could not place (a short form not resolved). The named queries
--   count documents by `cited_key`.
select
    r.*,
    r.doc_key as cited_key,
    case when r.doc_key is not null then coalesce(d.code, r.resolved_code, r.code) end as cited
from "references" as r
left join cited_documents as d on d.doc_key = r.doc_key
