{#- 月度考核指标 (DOMAIN §8-§9): int_kpi_figures_computed, with a month final as of as_of
    and frozen taken unchanged from frozen.kpi_monthly (DOMAIN §13; frozen_at is the freeze
    moment, null for a computed month). points_lost = weight - score is what the scorecard
    shows per indicator. -#}
with unioned as (
    {{ union_frozen_months('int_kpi_figures_computed', 'frozen_kpi_monthly', kpi_monthly_columns()) }}
),

{# After the union, so frozen months (whose tables keep the columns above) get it too. #}
final as (
    select
        *,
        cast(round(weight - score, 4) as double) as points_lost
    from unioned
)

select * from final
