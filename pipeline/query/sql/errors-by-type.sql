-- name: errors-by-type
-- description: Inputs that could not be read and stages that failed, by stage
--   and error type, with the files concerned.
select
    stage,
    error_type,
    count(*) as errors,
    list(distinct source_path order by source_path) as files,
    min(message) as example
from errors
group by stage, error_type
order by errors desc, stage, error_type
