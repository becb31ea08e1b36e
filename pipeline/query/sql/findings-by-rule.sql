-- name: findings-by-rule
-- description: What the citation audit flags, by rule and severity: findings,
--   reports concerned, the codes involved and one message as an example.
select
    rule,
    severity,
    count(*) as findings,
    count(distinct doc_id) as reports,
    list(distinct code order by code) filter (where code is not null) as codes,
    min(message) as example
from findings
group by rule, severity
order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, findings desc, rule
