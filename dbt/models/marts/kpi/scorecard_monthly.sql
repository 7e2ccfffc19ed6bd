{#- 月度绩效考核分与排名 (DOMAIN §9): int_scorecards_computed, with a month final as of
    as_of and frozen taken unchanged from frozen.scorecard_monthly (DOMAIN §13; frozen_at is
    the freeze moment, null for a computed month). prev_rank / prev_total_score are the
    entity's figures in the same tier the calendar month before (null when it was not
    ranked then); rank_change = prev_rank - rank (positive = moved up). -#}
with unioned as (
    {{ union_frozen_months('int_scorecards_computed', 'frozen_scorecard_monthly', scorecard_monthly_columns()) }}
),

{# After the union, so a frozen month is compared with the month before as published. #}
final as (
    select
        current_month.*,
        cast(previous_month.rank as integer) as prev_rank,
        cast(previous_month.total_score as double) as prev_total_score,
        cast(previous_month.rank - current_month.rank as integer) as rank_change,
        cast(round(current_month.total_score - previous_month.total_score, 2) as double) as score_change
    from unioned as current_month
    left join unioned as previous_month
        on
            current_month.tier = previous_month.tier
            and current_month.entity_id = previous_month.entity_id
            and previous_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
)

select * from final
