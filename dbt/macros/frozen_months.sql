{#- The monthly close (DOMAIN.md §13). frozen.months (model frozen_months) lists every month
    frozen so far with the as_of of the build that froze it; frozen.<table> keeps that month's
    rows of a mart as they were then. Both are incremental and append only, never part of a
    full refresh: a frozen row is never changed or deleted by a build. -#}

{#- Rows of `computed` (a model name) for the months this build freezes: those frozen_months
    recorded with frozen_at = this build's as_of and not stored yet. `columns` is the list
    stored (the mart's columns as computed); frozen_at is added. -#}
{% macro freeze_rows(computed, columns) -%}
with computed as (
    select * from {{ ref(computed) }}
),

frozen_months as (
    select * from {{ ref('frozen_months') }}
),

final as (
    select
        {%- for column in columns %}
        computed.{{ column }},
        {%- endfor %}
        frozen_months.frozen_at
    from computed
    inner join frozen_months
        on computed.month = frozen_months.month
    where
        frozen_months.frozen_at = {{ as_of() }}
        {%- if is_incremental() %}
        and computed.month not in (select stored.month from {{ this }} as stored)
        {%- endif %}
)

select * from final
{%- endmacro %}

{#- A mart's rows: month M from `frozen` (a frozen model name) when M is final as of this
    build's as_of and frozen, else from `computed` (a model name) with frozen_at null. So a
    build with a past as_of shows a month as it was frozen only when it was final then.
    `columns` is the stored column list of freeze_rows. -#}
{% macro union_frozen_months(computed, frozen, columns) -%}
    select
        {%- for column in columns %}
        computed_rows.{{ column }},
        {%- endfor %}
        cast(null as timestamp) as frozen_at
    from {{ ref(computed) }} as computed_rows
    where computed_rows.month not in (select taken.month from {{ ref('int_frozen_months_taken') }} as taken)
    union all
    select
        {%- for column in columns %}
        frozen_rows.{{ column }},
        {%- endfor %}
        frozen_rows.frozen_at
    from {{ ref(frozen) }} as frozen_rows
    where frozen_rows.month in (select taken.month from {{ ref('int_frozen_months_taken') }} as taken)
{%- endmacro %}

{#- The columns each frozen table stores: the mart's columns as computed. A column added
    to a mart later is computed after the union (like points_lost), or appended here, where
    the frozen table gets it empty for the months frozen before (on_schema_change). -#}
{% macro kpi_monthly_columns() -%}
    {{ return([
        'month', 'tier', 'entity_id', 'entity_name', 'unit_code', 'team_code', 'indicator',
        'indicator_zh', 'direction', 'numerator', 'denominator', 'pending_count', 'value',
        'target', 'meets_target', 'weight', 'rule_weight', 'points_per_pct', 'score',
        'is_applicable', 'provisional', 'cutoff_at',
    ]) }}
{%- endmacro %}

{% macro scorecard_monthly_columns() -%}
    {{ return([
        'month', 'tier', 'entity_id', 'entity_name', 'unit_code', 'team_code', 'total_score',
        'score_sum', 'weight_sum', 'applicable_indicators', 'rank', 'entities_ranked', 'provisional',
    ]) }}
{%- endmacro %}

{% macro audit_sample_columns() -%}
    {{ return([
        'month', 'unit_code', 'proc_id', 'proc_type', 'cust_no', 'owner_id', 'sample_seed',
        'sample_hash', 'sample_rank', 'population', 'sample_size',
    ]) }}
{%- endmacro %}
