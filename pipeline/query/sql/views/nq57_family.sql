-- view: nq57_family
-- description: The 57-NQ/TW family from the citation graph, one row per
--   cited document: Resolution 57-NQ/TW itself (depth 0) and every document
--   the reports say implements, amends or is based on it, directly or through
--   other members (citation_edges between documents). `via` lists the members
--   it is tied to, `relations` how, `depth` counts the steps from 57-NQ/TW.
--   The same set as cited_documents.nq57_family.
with recursive
links as (
    select distinct source, target, relation
    from citation_edges
    where source_kind = 'document' and relation in ('implements', 'amends', 'based_on')
),
walk(doc_key, via, relation, depth) as (
    select doc_key, null::varchar, null::varchar, 0
    from cited_documents
    where cite_kind = 'code' and upper(regexp_replace(code, '[\s\-–—]', '', 'g')) = '57NQ/TW'
    union
    select l.source, l.target, l.relation, w.depth + 1
    from links as l
    join walk as w on l.target = w.doc_key
    where w.depth < 12  -- a cycle in what the reports state must not run forever
)
select
    d.doc_key,
    d.code,
    d.doc_type,
    d.issuer,
    d.province,
    d.issued_date,
    d.subject,
    min(w.depth) as depth,
    list(distinct v.code order by v.code) filter (where v.code is not null) as via,
    list(distinct w.relation order by w.relation) filter (where w.relation is not null) as relations
from walk as w
join cited_documents as d using (doc_key)
left join cited_documents as v on v.doc_key = w.via
group by all
