-- name: results-vs-targets
-- description: Per report and tracked indicator, what was achieved against
--   what was planned: each result beside the target it is written with, and
--   the share of the target reached (share_pct = 100 * result / target). They
--   go together when the report writes them together (one pair_id: `ước tăng
--   7,2%/KH 6-7%`, `đạt 48,5 triệu đồng/KH 48 triệu đồng`) or in one row of a
--   table (columns `Kế hoạch 2023` / `Thực hiện 6 tháng`), in the same unit (a
--   change written with its target is its result: `tăng 7,2%/KH tăng 6-7%`); a
--   ratio states both (`33/31,5 ha`, `đạt 17/19 chỉ tiêu`: done over planned).
--   A target with no result beside it shows alone (a plan); a result with no
--   target is left out, as are ranks. Ranges count by their lower bound.
with q as (
    select q.*, b.table_index, b.row as table_row
    from quantities as q
    left join blocks as b
        on b.doc_id = q.doc_id and b.kind = 'table_cell' and q.start >= b.start and q."end" <= b."end"
    where q.indicator is not null and q.role in ('target', 'result', 'change') and q.kind <> 'rank'
),
lines as (
    select
        *,
        case
            when pair_id is not null then 'pair'
            when table_index is not null then 'table row'
        end as matched_by,
        case
            when pair_id is not null then 'pair ' || pair_id
            when table_index is not null then 'row ' || table_index || '.' || table_row
            else 'at ' || start  -- a figure of running text stands alone
        end as line
    from q
),
targets as (
    select
        doc_id, indicator, unit, line, any_value(matched_by) as matched_by,
        arg_min(value, start) as target,
        min(start) as start,
        arg_min(measure, start) as measure,
        arg_min(period, start) as period,
        arg_min(year, start) as year
    from lines
    where role = 'target'
    group by doc_id, indicator, unit, line
),
results as (  -- a change written with its target is what was reached: `ước tăng 7,2%/KH tăng 6-7%`
    select * from lines
    where (role = 'result' and kind <> 'ratio' and matched_by is not null) or (role = 'change' and matched_by = 'pair')
),
matched as (
    select
        r.doc_id, r.indicator, coalesce(r.measure, t.measure) as measure, r.unit,
        coalesce(r.period, t.period) as period, coalesce(r.year, t.year) as year,
        t.target, r.value as result, t.matched_by, r.start
    from results as r
    join targets as t
        on t.doc_id = r.doc_id and t.indicator = r.indicator and t.unit is not distinct from r.unit and t.line = r.line
    union all
    select doc_id, indicator, measure, unit, period, year, total, value, 'ratio', start
    from lines
    where role = 'result' and kind = 'ratio' and total is not null
    union all
    select t.doc_id, t.indicator, t.measure, t.unit, t.period, t.year, t.target, null, null, t.start
    from targets as t
    anti join results as r
        on r.doc_id = t.doc_id and r.indicator = t.indicator and r.unit is not distinct from t.unit and r.line = t.line
)
select
    d.source_path as report,
    coalesce(d.province, '(unknown)') as province,
    m.indicator,
    m.measure,
    m.unit,
    m.period,
    m.year,
    m.target,
    m.result,
    round(100 * m.result / nullif(m.target, 0), 1) as share_pct,
    m.matched_by
from matched as m
join documents as d using (doc_id)
order by d.province is null, d.province, report, m.indicator, m.start, m.result
