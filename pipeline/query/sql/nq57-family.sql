-- name: nq57-family
-- description: The 57-NQ/TW family (view nq57_family): each member, the
--   members it implements (`via`) and how (`relations`), its distance from
--   57-NQ/TW, how often and by how many reports it is cited, and the dates it
--   is cited with.
select
    f.code as document,
    f.doc_type,
    f.depth,
    f.via,
    f.relations,
    count(c.cited_key) as citations,
    count(distinct c.doc_id) as reports,
    list(distinct c.issued_date order by c.issued_date) filter (where c.issued_date is not null) as dates,
    f.issuer,
    f.subject,
    f.doc_key
from nq57_family as f
left join citations as c on c.cited_key = f.doc_key
group by all
order by f.depth, citations desc, document
