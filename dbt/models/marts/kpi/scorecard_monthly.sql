{#- 月度绩效考核分与排名: one row per month, tier and entity with at least one applicable
    indicator. total_score = sum of scores / sum of applicable weights x 100, rounded half up
    to 2 decimals, in exact arithmetic (scores carry 4 decimals; see exact_sums.sql), so a
    total never depends on the order the rows were summed in; rank() by total_score, highest first, within month and tier (ties share a
    rank; the staff tier holds business staff only). Months frozen by the monthly close
    are taken unchanged from frozen.scorecard_monthly. prev_rank / prev_total_score are the
    entity's figures in the same tier the calendar month before (null when it was not
    ranked then); rank_change = prev_rank - rank (positive = moved up). -#}
{%- set columns = [
    'month', 'tier', 'entity_id', 'entity_name', 'unit_code', 'team_code', 'total_score',
    'score_sum', 'weight_sum', 'applicable_indicators', 'rank', 'entities_ranked', 'provisional',
] -%}
with kpi as (
    select * from {{ ref('kpi_monthly') }}
),

totals as (
    select
        month,
        tier,
        entity_id,
        any_value(entity_name) as entity_name,
        any_value(unit_code) as unit_code,
        any_value(team_code) as team_code,
        {{ sum_in_units('score') }} as score_units,
        {{ sum_in_units('weight') }} as weight_units,
        count(weight) as applicable_indicators,
        bool_or(provisional) as provisional,
    from kpi
    group by month, tier, entity_id
    having sum(weight) > 0
),

ranked as (
    select
        month,
        tier,
        entity_id,
        entity_name,
        unit_code,
        team_code,
        {{ ratio_half_up('score_units', 'weight_units', 4) }} / 100.0 as total_score,
        score_units / 10000.0 as score_sum,
        weight_units / 10000.0 as weight_sum,
        applicable_indicators,
        provisional,
    from totals
),

computed as (
    select
        month,
        tier,
        entity_id,
        entity_name,
        unit_code,
        team_code,
        total_score,
        score_sum,
        weight_sum,
        applicable_indicators,
        rank() over (partition by month, tier order by total_score desc) as rank,
        count(*) over (partition by month, tier) as entities_ranked,
        provisional,
    from ranked
),

unioned as (
    {{ union_frozen_months('computed', 'scorecard_monthly', columns) }}
),

{# After the union, so a frozen month is compared with the month before as published. #}
final as (
    select
        current_month.*,
        cast(previous_month.rank as integer) as prev_rank,
        cast(previous_month.total_score as double) as prev_total_score,
        cast(previous_month.rank - current_month.rank as integer) as rank_change,
        cast(round(current_month.total_score - previous_month.total_score, 2) as double) as score_change,
    from unioned as current_month
    left join unioned as previous_month
        on
            current_month.tier = previous_month.tier
            and current_month.entity_id = previous_month.entity_id
            and previous_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
)

select * from final
