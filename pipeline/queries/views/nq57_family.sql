-- view: nq57_family
-- description: The 57-NQ/TW family as the citations show it, one row per
--   document (`code`): Resolution 57-NQ/TW itself (evidence `self`); every
--   cited document whose trích yếu says it carries out the resolution or
--   another member (`subject`); whose trích yếu takes up the resolution's
--   theme, "đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển
--   đổi số" (`theme`); or that two or more reports cite in the same sentence as
--   57-NQ/TW (`co_cited`). `via` lists the members its trích yếu names (57-NQ/TW
--   for `co_cited`), `depth` counts the steps from 57-NQ/TW. Text evidence
--   only: once the citation graph (citation_edges) exists, it is the better source.
with recursive
cites as (
    select
        cited as code,
        doc_type,
        doc_id,
        sentence,
        -- an extracted trích yếu can run on into the next citation
        -- ("..., Kế hoạch số 51/KH-UBND ... thực hiện Nghị quyết số 57-NQ/TW"):
        -- keep it up to there so that the next document's purpose is not taken for this one's
        regexp_replace(
            subject,
            ',\s*(Nghị quyết|Quyết định|Kế hoạch|Chương trình|Chỉ thị|Công văn|Thông tư|Nghị định|Thông báo|Kết luận|Đề án|Hướng dẫn|Quy định|Quy chế)\s+(số\s+)?[0-9].*$',
            ''
        ) as purpose
    from citations
    where cited is not null
),
documents_cited as (
    select code, mode(doc_type) as doc_type from cites group by code
),
members(code, evidence, via, depth) as (
    select '57-NQ/TW', 'self', null::varchar, 0
    union
    select c.code, 'subject', m.code, m.depth + 1
    from cites as c
    join members as m
        on c.code <> m.code
        and m.depth < 6
        and (
            -- the member's code, not the tail of a longer number (03/NQ-CP is not 103/NQ-CP)
            regexp_matches(c.purpose, '(^|[^0-9A-Za-z])' || regexp_escape(m.code) || '($|[^0-9A-Za-z])')
            or (m.code = '57-NQ/TW' and regexp_matches(c.purpose, '(?i)(nghị quyết\s+(số\s+)?57|\bNQ\s?57)\b'))
        )
),
by_theme as (
    select distinct code, 'theme' as evidence, null::varchar as via, 1 as depth
    from cites
    where regexp_matches(purpose, '(?i)đột phá phát triển (khoa học|KHCN)')
),
co_cited as (
    select c.code, 'co_cited' as evidence, '57-NQ/TW' as via, 1 as depth
    from cites as c
    join cites as root on root.doc_id = c.doc_id and root.sentence = c.sentence and root.code = '57-NQ/TW'
    where c.code <> '57-NQ/TW'
    group by c.code
    having count(distinct c.doc_id) >= 2
),
evidence as (
    select * from members
    union all select * from by_theme
    union all select * from co_cited
)
select
    e.code,
    d.doc_type,
    -- the strongest evidence: itself, then a stated purpose, then the theme, then company
    arg_min(e.evidence, case e.evidence when 'self' then 0 when 'subject' then 1 when 'theme' then 2 else 3 end) as evidence,
    list(distinct e.via order by e.via) filter (where e.via is not null) as via,
    min(e.depth) as depth
from evidence as e
left join documents_cited as d using (code)
group by e.code, d.doc_type
