{#- 月度绩效考核分与排名 computed for every scored month: one row per month, tier and entity
    with at least one applicable indicator. total_score = sum of scores / sum of applicable
    weights x 100, rounded half up to 2 decimals, in exact arithmetic (scores carry 4
    decimals; see exact_sums.sql), so a total never depends on the order the rows were
    summed in; rank() by total_score, highest first, within month and tier (ties share a
    rank; the staff tier holds business staff only). The company row is scored like a unit
    and carries no rank (rank and entities_ranked null). The mart scorecard_monthly takes a
    final month from frozen.scorecard_monthly instead (DOMAIN §13). -#}
with kpi as (
    select * from {{ ref('int_kpi_figures_computed') }}
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
        bool_or(provisional) as provisional
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
        provisional
    from totals
),

final as (
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
        case
            when tier <> 'company' then rank() over (partition by month, tier order by total_score desc)
        end as rank,
        case when tier <> 'company' then count(*) over (partition by month, tier) end as entities_ranked,
        provisional
    from ranked
)

select * from final
