{% macro load_landing() -%}
    {#- Fill schema raw with the landing data the build starts from, every contract column as
        text plus four delivery columns (_delivery_id, _delivering_organisation_id, _id_scope,
        _delivery_period), and the delivery register (raw.deliveries, raw.delivery_files).
        - MVOI_RAW_DIR set: that landing folder, as one multi-organisation delivery.
        - else the landing store (MVOI_LANDING_STORE, default <MVOI_WAREHOUSE_DIR>/landing_store,
          written by `mvoi deliver`) when it holds an accepted delivery: its current rows
          (_load_store_entity says which rows are current);
        - else the bundled sample (`sample/`), as one multi-organisation delivery.
        Runs at the start of `dbt build` / `dbt run` (docs/deliveries.md). -#}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_dir = env_var('MVOI_RAW_DIR', '') | trim -%}
    {%- set store = (env_var('MVOI_LANDING_STORE', '') | trim
        or (env_var('MVOI_WAREHOUSE_DIR', '') | trim or 'warehouse') ~ '/landing_store').rstrip('/') -%}
    {%- do run_query("create schema if not exists raw") -%}
    {%- do run_query(
        "create or replace table raw.landing_files (entity varchar, file_path varchar, file_format varchar, "
        ~ "row_count bigint, missing_optional_columns varchar, extra_columns varchar, loaded_at timestamp)"
    ) -%}
    {%- do _load_delivery_register(store) -%}
    {%- set accepted = run_query("select count(*) from raw.deliveries where status = 'accepted'").columns[0].values()[0] -%}
    {%- if not raw_dir and accepted > 0 -%}
        {{ log("Landing: the current state of the landing store " ~ store ~ " (" ~ accepted ~ " accepted deliveries)", info=true) }}
        {%- for node in graph.sources.values() if node.source_name == 'landing' -%}
            {%- do _load_store_entity(store, node) -%}
        {%- endfor -%}
        {{ return('') }}
    {%- endif -%}

    {%- set raw_dir = (raw_dir or 'sample').rstrip('/') -%}
    {%- if run_query("select count(*) from glob('" ~ _sql_text(raw_dir) ~ "/*')").columns[0].values()[0] == 0 -%}
        {{ exceptions.raise_compiler_error("Landing folder " ~ raw_dir ~ " (MVOI_RAW_DIR) does not exist or is empty.") }}
    {%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == 'landing' -%}
        {%- do _load_landing_entity(raw_dir, node) -%}
    {%- endfor -%}
    {#- the folder is one delivery that covers every organisation in it, received when its
        newest file was written (not at build time: two builds of one folder publish the same) -#}
    {%- do run_query(
        "insert into raw.deliveries select '" ~ _folder_delivery_id() ~ "', 0, null, null, "
        ~ "max(last_modified)::timestamp, 'accepted', null, null, '" ~ _sql_text(raw_dir) ~ "' "
        ~ "from read_blob('" ~ _sql_text(raw_dir) ~ "/*')") -%}
    {%- do run_query(
        "insert into raw.delivery_files select '" ~ _folder_delivery_id() ~ "', entity, "
        ~ "parse_filename(file_path), null, row_count, null from raw.landing_files where file_path is not null") -%}
    {{ return('') }}
{%- endmacro %}


{% macro _contract_columns(node) -%}
    {#- The landing contract's columns of a landing source table: not the loader's own
        delivery columns (meta.loader), which no file holds. -#}
    {{- return(node.columns.values() | rejectattr('meta.loader', 'defined') | list) -}}
{%- endmacro %}


{% macro _folder_delivery_id() -%}
    {#- The delivery id of a build from a landing folder (MVOI_RAW_DIR or the sample). -#}
    {{- return('landing_folder') -}}
{%- endmacro %}


{% macro _delivery_columns(delivery_id="'" ~ _folder_delivery_id() ~ "'", organisation='null', period='null') -%}
    {#- The four delivery columns every raw landing table carries after the contract's:
        the delivery, the delivering organisation (null: a multi-organisation folder), the
        scope of its ids (the delivering organisation's OIN; null: one national namespace)
        and the period of a period delivery (null: complete data). -#}
    {{- return(
        delivery_id ~ " as _delivery_id, cast(" ~ organisation ~ " as varchar) as _delivering_organisation_id, "
        ~ "cast(" ~ organisation ~ " as varchar) as _id_scope, cast(" ~ period ~ " as integer) as _delivery_period") -}}
{%- endmacro %}


{% macro _load_delivery_register(store) -%}
    {#- raw.deliveries and raw.delivery_files from <store>/register.jsonl (written by
        `mvoi deliver`); empty when the store has no register. -#}
    {%- do run_query(
        "create or replace table raw.deliveries (delivery_id varchar, sequence integer, organisation_id varchar, "
        ~ "period integer, received_at timestamp, status varchar, reason varchar, content_sha256 varchar, "
        ~ "source_folder varchar)") -%}
    {%- do run_query(
        "create or replace table raw.delivery_files (delivery_id varchar, entity varchar, file_name varchar, "
        ~ "sha256 varchar, row_count bigint, bytes bigint)") -%}
    {%- set register = store ~ '/register.jsonl' -%}
    {%- if run_query("select count(*) from glob('" ~ _sql_text(register) ~ "')").columns[0].values()[0] == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set reader -%}
        read_json('{{ _sql_text(register) }}', format = 'newline_delimited', columns = {
            delivery_id: 'varchar', sequence: 'integer', organisation_id: 'varchar', period: 'integer',
            received_at: 'timestamp', status: 'varchar', reason: 'varchar', content_sha256: 'varchar',
            source_folder: 'varchar',
            files: 'struct(entity varchar, file_name varchar, sha256 varchar, row_count bigint, bytes bigint)[]'
        })
    {%- endset -%}
    {%- do run_query(
        "insert into raw.deliveries select * exclude (files) from " ~ reader) -%}
    {%- do run_query(
        "insert into raw.delivery_files select delivery_id, f.entity, f.file_name, f.sha256, f.row_count, f.bytes "
        ~ "from (select delivery_id, unnest(files) as f from " ~ reader ~ ")") -%}
{%- endmacro %}


{% macro _load_store_entity(store, node) -%}
    {#- raw.<entity> as the current rows of the accepted deliveries in the landing store
        (<store>/deliveries/<delivery_id>/<entity>.parquet, the contract's columns as text):
        - a complete delivery (no period) replaces everything its organisation delivered before;
        - a period delivery replaces, for a period-bound entity (meta.period_column), the
          organisation's rows of that year; any other entity it updates by key (the latest
          delivery of a key wins; keys are per organisation unless the entity's key is
          national, meta.key_scope);
        superseded rows stay in the store and the register, not in raw. -#}
    {%- set entity = node.name -%}
    {%- set columns = _contract_columns(node) | map(attribute='name') | list -%}
    {%- set key = node.meta.get('key') -%}
    {%- set period_column = node.meta.get('period_column') -%}
    {%- set national_key = node.meta.get('key_scope', 'organisation') == 'national' -%}
    {#- D*: the delivery folders, not a receive in progress (.tmp-D...) -#}
    {%- set files = store ~ '/deliveries/D*/' ~ entity ~ '.parquet' -%}
    {%- if run_query("select count(*) from glob('" ~ _sql_text(files) ~ "')").columns[0].values()[0] == 0 -%}
        {%- if node.meta.get('required', true) -%}
            {{ exceptions.raise_compiler_error(
                "The landing store " ~ store ~ " holds no accepted delivery with " ~ entity
                ~ ", a required entity of the landing contract: deliver it with `mvoi deliver`.") }}
        {%- endif -%}
        {%- do _create_absent_entity(entity, columns) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set sql -%}
        create or replace table raw.{{ entity }} as
        with delivered as (
            select
                {%- for c in columns %}
                "{{ c }}",
                {%- endfor %}
                regexp_extract(filename, '([^/\\]+)[/\\][^/\\]+$', 1) as delivery_id
            from read_parquet('{{ _sql_text(files) }}', filename = true, union_by_name = true)
        ),

        deliveries as (
            select * from raw.deliveries where status = 'accepted'
        ),

        last_complete as (
            select organisation_id, max(sequence) as sequence
            from deliveries
            where period is null
            group by organisation_id
        ),

        last_period as (
            select organisation_id, period, max(sequence) as sequence
            from deliveries
            where period is not null
            group by organisation_id, period
        ),

        current_rows as (
            select
                delivered.* exclude (delivery_id),
                {{ _delivery_columns('delivered.delivery_id', 'deliveries.organisation_id', 'deliveries.period') }},
                deliveries.sequence as _sequence
            from delivered
            inner join deliveries on delivered.delivery_id = deliveries.delivery_id
            left join last_complete on deliveries.organisation_id = last_complete.organisation_id
            {%- if period_column %}
            left join last_period
                on deliveries.organisation_id = last_period.organisation_id
                and try_cast(left(trim(delivered."{{ period_column }}"), 4) as integer) = last_period.period
            {%- endif %}
            where deliveries.sequence >= coalesce(last_complete.sequence, 0)
            {%- if period_column %}
                and deliveries.sequence >= coalesce(last_period.sequence, 0)
            {%- endif %}
            {%- if not period_column %}
            qualify deliveries.sequence = max(deliveries.sequence) over (
                partition by {{ '' if national_key else 'deliveries.organisation_id, ' }}nullif(trim(delivered."{{ key }}"), '')
            )
            {%- endif %}
        )

        select * exclude (_sequence) from current_rows
    {%- endset -%}
    {%- do run_query(sql) -%}
    {%- set row_count = run_query("select count(*) from raw." ~ entity).columns[0].values()[0] -%}
    {%- do run_query(
        "insert into raw.landing_files values ('" ~ entity ~ "', '" ~ _sql_text(files) ~ "', 'parquet', "
        ~ row_count ~ ", null, null, now())") -%}
{%- endmacro %}


{% macro _load_landing_entity(raw_dir, node) -%}
    {#- Check and copy one landing entity; stops the build with a message naming the file and
        the column when a required file or column is missing. -#}
    {%- set entity = node.name -%}
    {%- set contract_columns = _contract_columns(node) -%}
    {%- set found = [] -%}
    {%- for ext in ['csv', 'parquet'] -%}
        {%- set path = raw_dir ~ '/' ~ entity ~ '.' ~ ext -%}
        {%- if run_query("select count(*) from glob('" ~ _sql_text(path) ~ "')").columns[0].values()[0] > 0 -%}
            {%- do found.append((ext, path)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Landing folder " ~ raw_dir ~ " holds both " ~ entity ~ ".csv and " ~ entity
            ~ ".parquet: deliver one file per entity.") }}
    {%- endif -%}

    {%- if found | length == 0 -%}
        {%- if node.meta.get('required', true) -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ raw_dir ~ "/" ~ entity ~ ".csv (or " ~ entity
                ~ ".parquet) is missing: " ~ entity ~ " is a required entity of the landing contract.") }}
        {%- endif -%}
        {%- do _create_absent_entity(entity, contract_columns | map(attribute='name') | list) -%}
        {{ return('') }}
    {%- endif -%}

    {%- set ext, path = found[0] -%}
    {%- if ext == 'csv' -%}
        {%- do _check_landing_encoding(path) -%}
        {#- the header row as delivered, read as a data row so that names stay exactly as written -#}
        {%- set reader = "read_csv('" ~ _sql_text(path) ~ "', all_varchar = true, delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8'" -%}
        {%- set header_rows = run_query("select * from " ~ reader ~ ", header = false) limit 1") -%}
        {%- if header_rows.rows | length == 0 -%}
            {{ exceptions.raise_compiler_error("Landing file " ~ path ~ " is empty: it has no header row.") }}
        {%- endif -%}
        {%- set delivered = [] -%}
        {%- for value in header_rows.rows[0].values() -%}
            {%- do delivered.append((value or '') | replace('\ufeff', '')) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set reader = "read_parquet('" ~ _sql_text(path) ~ "'" -%}
        {%- set delivered = run_query("select * from " ~ reader ~ ") limit 0").column_names | list -%}
    {%- endif -%}

    {#- column names match case-insensitively after trimming -#}
    {%- set by_name = {} -%}
    {%- for original in delivered -%}
        {%- set normalized = original | trim | lower -%}
        {%- if normalized in by_name -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path ~ ": column " ~ normalized ~ " appears more than once in the header.") }}
        {%- endif -%}
        {%- do by_name.update({normalized: loop.index0}) -%}
    {%- endfor -%}

    {%- set selects = [] -%}
    {%- set missing_optional = [] -%}
    {%- for c in contract_columns -%}
        {%- if c.name in by_name -%}
            {%- do selects.append('cast(#' ~ (by_name[c.name] + 1) ~ ' as varchar) as "' ~ c.name ~ '"') -%}
        {%- elif c.meta.get('required', true) -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path ~ " lacks the required column " ~ c.name ~ " of entity " ~ entity ~ ".") }}
        {%- else -%}
            {%- do missing_optional.append(c.name) -%}
            {%- do selects.append('cast(null as varchar) as "' ~ c.name ~ '"') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set known = contract_columns | map(attribute='name') | list -%}
    {%- set extra = [] -%}
    {%- for name in by_name if name not in known -%}{%- do extra.append(name) -%}{%- endfor -%}
    {%- if extra -%}
        {{ log("WARNING landing file " ~ path ~ ": extra columns ignored: " ~ extra | join(', '), info=true) }}
    {%- endif -%}

    {%- if ext == 'csv' -%}
        {%- set from_clause = reader ~ ", header = true, strict_mode = true, null_padding = false)" -%}
    {%- else -%}
        {%- set from_clause = reader ~ ")" -%}
    {%- endif -%}
    {%- do run_query("create or replace table raw." ~ entity ~ " as select " ~ selects | join(', ') ~ ", "
        ~ _delivery_columns() ~ " from " ~ from_clause) -%}
    {%- set row_count = run_query("select count(*) from raw." ~ entity).columns[0].values()[0] -%}
    {%- do run_query(
        "insert into raw.landing_files values ('" ~ entity ~ "', '" ~ _sql_text(path) ~ "', '" ~ ext ~ "', "
        ~ row_count ~ ", " ~ _sql_list(missing_optional) ~ ", " ~ _sql_list(extra) ~ ", now())"
    ) -%}
{%- endmacro %}


{% macro _create_absent_entity(entity, columns) -%}
    {#- An optional entity that was not delivered: an empty raw table with its columns. -#}
    {%- set cols = [] -%}
    {%- for c in columns -%}{%- do cols.append('cast(null as varchar) as "' ~ c ~ '"') -%}{%- endfor -%}
    {%- do run_query("create or replace table raw." ~ entity ~ " as select " ~ cols | join(', ') ~ ", "
        ~ _delivery_columns() ~ " limit 0") -%}
    {%- do run_query("insert into raw.landing_files values ('" ~ entity ~ "', null, 'absent', 0, null, null, now())") -%}
{%- endmacro %}


{% macro _check_landing_encoding(path, max_bytes=536870912) -%}
    {#- Stop the build with a message naming the file when a landing CSV is not UTF-8 (e.g. a
        Windows-1252 / Latin-1 export): DuckDB's own CSV error buries the file name in a dump
        of reader options and quotes the wrong line. The whole file is decoded once in DuckDB
        (try(decode(...)) is null when a byte sequence is not UTF-8); files above max_bytes
        (512 MiB) are not probed, to bound memory: DuckDB's reader still refuses them, with its
        own message, which also names the file. -#}
    {%- set size = run_query("select size from read_blob('" ~ _sql_text(path) ~ "')").columns[0].values()[0] -%}
    {%- if size is not none and size <= max_bytes -%}
        {%- set probe = run_query(
            "select try(decode(content)) is null from read_blob('" ~ _sql_text(path) ~ "')") -%}
        {%- if probe.columns[0].values()[0] -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path ~ " is not UTF-8 encoded text: the landing contract requires "
                ~ "UTF-8 (a BOM is allowed). Export it again as UTF-8 (in Excel: 'CSV UTF-8'); "
                ~ "a file saved as Windows-1252/Latin-1 fails here on letters such as é or ë.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro _sql_text(value) -%}
    {#- a value for use inside a single-quoted SQL string literal -#}
    {{- return(value | replace("'", "''")) -}}
{%- endmacro %}


{% macro _sql_list(values) -%}
    {#- a list of names as a quoted comma-separated SQL literal, or null when empty -#}
    {%- if values -%}
        {{- return("'" ~ (values | join(', ') | replace("'", "''")) ~ "'") -}}
    {%- else -%}
        {{- return('null') -}}
    {%- endif -%}
{%- endmacro %}
