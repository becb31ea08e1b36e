-- name: agencies-most-named
-- description: Government and party bodies by how often the reports name them,
--   with their level and province.
select
    canonical as agency,
    level,
    province,
    count(*) as mentions,
    count(distinct doc_id) as reports
from agencies
group by all
order by mentions desc, agency
