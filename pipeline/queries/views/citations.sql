-- view: citations
-- description: The references table with one more column, `cited`: the key of
--   the document a citation points at (the resolved code of a short form, else
--   the code, else `<type> <name>` for a law cited by name); null for a short
--   form not resolved yet. The named queries count documents by this key.
select
    r.*,
    coalesce(
        r.resolved_code,
        r.code,
        case when r.name is not null then concat_ws(' ', r.doc_type, r.name) end
    ) as cited
from "references" as r
