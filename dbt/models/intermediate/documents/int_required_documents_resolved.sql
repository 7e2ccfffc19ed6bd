{#- 必备档案目录 resolved per process type (DOMAIN §4): the seed required_documents holds
    each node's default document types (rows without proc_type) and type-specific rows; a
    (process type, node) pair with rows of its own takes exactly those instead of the node's
    defaults, so an override can add a type (PROPERTY_PROOF for new connections) or make a
    default optional (the processes the company starts itself need no application). Every
    process type of the seed process_types gets every node. Only mandatory rows are kept:
    they alone decide completeness and the paper to-do list. -#}
with catalogue as (
    select
        {#- An empty proc_type (null, or '' as some CSV readers give it) is a node default. #}
        nullif(trim(proc_type), '') as proc_type,
        node_code,
        doc_type,
        is_mandatory
    from {{ ref('required_documents') }}
),

process_types as (
    select * from {{ ref('process_types') }}
),

node_defaults as (
    select
        node_code,
        doc_type,
        is_mandatory
    from catalogue
    where proc_type is null
),

overrides as (
    select
        catalogue.proc_type,
        catalogue.node_code,
        catalogue.doc_type,
        catalogue.is_mandatory
    from catalogue
    inner join process_types
        on catalogue.proc_type = process_types.proc_type
),

overridden_pairs as (
    select distinct
        proc_type,
        node_code
    from overrides
),

defaults_per_type as (
    select
        process_types.proc_type,
        node_defaults.node_code,
        node_defaults.doc_type,
        node_defaults.is_mandatory
    from process_types
    cross join node_defaults
    left join overridden_pairs
        on
            process_types.proc_type = overridden_pairs.proc_type
            and node_defaults.node_code = overridden_pairs.node_code
    where overridden_pairs.proc_type is null
),

resolved as (
    select * from defaults_per_type
    union all
    select * from overrides
),

final as (
    select distinct
        proc_type,
        node_code,
        doc_type
    from resolved
    where is_mandatory
)

select * from final
