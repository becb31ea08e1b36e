-- name: nq57-family
-- description: The 57-NQ/TW family (view nq57_family): each member with the
--   evidence that puts it there, how often and by how many reports it is cited,
--   and the dates it is cited with.
select
    f.code as document,
    f.doc_type,
    f.evidence,
    f.via,
    f.depth,
    count(c.cited) as citations,
    count(distinct c.doc_id) as reports,
    list(distinct c.issued_date order by c.issued_date) filter (where c.issued_date is not null) as dates,
    arg_max(c.subject, length(c.subject)) as subject
from nq57_family as f
left join citations as c on c.cited = f.code
group by f.code, f.doc_type, f.evidence, f.via, f.depth
order by f.depth, citations desc, document
