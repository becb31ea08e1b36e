-- name: archive-holdings
-- description: Per report, the documents it cites that the archive holds and
--   those it lacks: a cited document is held when a document of the corpus is
--   it (cited_documents.held_by_doc_id: its own code, and its date or issuer,
--   match). Counted by cited document (the registry's key: the same code of
--   another year or province is another document), each listed by its code and
--   date, with the files that hold them; a report's citations of itself are
--   left out, and a report that cites nothing shows with zeros.
with cited as (
    select distinct
        c.doc_id,
        c.cited_key,
        coalesce(r.code, c.cited) || coalesce(' (' || strftime(r.issued_date, '%d/%m/%Y') || ')', '') as document,
        r.held_by_doc_id
    from citations as c
    join cited_documents as r on r.doc_key = c.cited_key
    where r.held_by_doc_id is distinct from c.doc_id
)
select
    d.source_path as report,
    coalesce(d.province, '(unknown)') as province,
    count(ci.cited_key) as cited_documents,
    count(ci.held_by_doc_id) as held,
    count(ci.cited_key) - count(ci.held_by_doc_id) as lacking,
    list(ci.document order by ci.document, ci.cited_key) filter (where ci.held_by_doc_id is not null) as held_documents,
    list(distinct h.source_path order by h.source_path) filter (where h.source_path is not null) as held_in,
    list(ci.document order by ci.document, ci.cited_key) filter (where ci.cited_key is not null and ci.held_by_doc_id is null) as lacking_documents
from documents as d
left join cited as ci using (doc_id)
left join documents as h on h.doc_id = ci.held_by_doc_id
group by d.doc_id, d.source_path, d.province
order by d.province is null, d.province, report
