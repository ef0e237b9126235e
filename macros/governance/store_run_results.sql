{% macro dbt_test_results_relation() -%}
    {#- The history table of dbt test results: governance.dbt_test_results of the target
        database. Not a model, so dbt never drops or rebuilds it. -#}
    {{ return(api.Relation.create(database=target.database, schema='governance', identifier='dbt_test_results')) }}
{%- endmacro %}


{% macro create_dbt_test_results_table() -%}
    {#- DDL of governance.dbt_test_results (idempotent: create if not exists). Called by
        store_run_results and as a pre-hook of the models reading the table, so they build on
        a fresh database before any run has ended. -#}
    create schema if not exists {{ dbt_test_results_relation().include(identifier=false) }};
    create table if not exists {{ dbt_test_results_relation() }} (
        invocation_id varchar,
        run_at timestamp,
        command varchar,
        unique_id varchar,
        resource_type varchar,
        test_name varchar,
        test_type varchar,
        attached_node varchar,
        attached_name varchar,
        attached_resource_type varchar,
        entity varchar,
        column_name varchar,
        severity varchar,
        status varchar,
        failures bigint,
        message varchar,
        execution_time double
    )
{%- endmacro %}


{% macro landing_entity_of_node(unique_id) -%}
    {#- The landing entity a node belongs to, or none: stg_landing__<entity>[__checked] models
        and the landing source tables. -#}
    {%- set entities = landing_entity_names() -%}
    {%- set parts = (unique_id or '').split('.') -%}
    {%- set name = parts[-1] -%}
    {%- if parts[0] == 'source' and parts | length >= 4 and parts[-2] == 'landing' and name in entities -%}
        {{ return(name) }}
    {%- elif parts[0] == 'model' and name.startswith('stg_landing__') -%}
        {%- set entity = name[13:].replace('__checked', '') -%}
        {{ return(entity if entity in entities else none) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{% macro sql_text_literal(value, max_length=2000) -%}
    {#- A value as a SQL text literal (single quotes doubled), or null; cut at max_length. -#}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string)[:max_length] | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}


{% macro store_run_results(results) -%}
    {#- on-run-end hook: append the result of every data test and unit test of this invocation
        to governance.dbt_test_results (one row per test: invocation id, run time, test,
        attached model or source, landing entity, column, severity, status, failures).
        The quality scorecard (models/governance/dq_scorecard*) reads it as the source
        governance_history.dbt_test_results. Returns no SQL: the statements run here. -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- do run_query(create_dbt_test_results_table()) -%}
    {%- set rows = [] -%}
    {%- for result in results if result.node.resource_type in ('test', 'unit_test') -%}
        {%- set node = result.node -%}
        {%- set test_metadata = node.test_metadata if node.resource_type == 'test' else none -%}
        {%- if node.resource_type == 'unit_test' -%}
            {%- set test_type = 'unit_test' -%}
            {#- as it runs, a unit test depends on its fixtures; the model it tests is kept apart -#}
            {%- set attached = node.tested_node_unique_id
                or (node.depends_on.nodes[0] if node.depends_on.nodes else none) -%}
        {%- elif test_metadata -%}
            {%- set test_type = test_metadata.name -%}
            {%- set attached = node.attached_node -%}
        {%- else -%}
            {%- set test_type = 'singular' -%}
            {%- set models = node.depends_on.nodes | reject('equalto', none) | list -%}
            {%- set attached = node.attached_node or (models[0] if models else none) -%}
        {%- endif -%}
        {%- set attached_parts = (attached or '').split('.') -%}
        {%- set severity = (node.config.severity or 'error') | lower -%}
        {%- do rows.append(
            '(' ~ sql_text_literal(invocation_id)
            ~ ', cast(' ~ sql_text_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ ' as timestamp)'
            ~ ', ' ~ sql_text_literal(flags.WHICH)
            ~ ', ' ~ sql_text_literal(node.unique_id)
            ~ ', ' ~ sql_text_literal(node.resource_type)
            ~ ', ' ~ sql_text_literal(node.name)
            ~ ', ' ~ sql_text_literal(test_type)
            ~ ', ' ~ sql_text_literal(attached)
            ~ ', ' ~ sql_text_literal(attached_parts[-1] if attached else none)
            ~ ', ' ~ sql_text_literal(attached_parts[0] if attached else none)
            ~ ', ' ~ sql_text_literal(landing_entity_of_node(attached))
            ~ ', ' ~ sql_text_literal(node.column_name if node.resource_type == 'test' else none)
            ~ ', ' ~ sql_text_literal(severity)
            ~ ', ' ~ sql_text_literal(result.status)
            ~ ', ' ~ (result.failures if result.failures is not none else 'null')
            ~ ', ' ~ sql_text_literal(result.message)
            ~ ', ' ~ (result.execution_time or 0)
            ~ ')'
        ) -%}
    {%- endfor -%}
    {%- for batch in rows | batch(500) -%}
        {%- set insert_sql -%}
            insert into {{ dbt_test_results_relation() }} values
            {{ batch | join(',\n') }}
        {%- endset -%}
        {%- do run_query(insert_sql) -%}
    {%- endfor -%}
    {%- if rows -%}
        {%- do log('store_run_results: ' ~ rows | length ~ ' test results appended to ' ~ dbt_test_results_relation(), info=false) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
