//! Table definitions shared by both backends; column types are the portable subset.

diesel::table! {
    organizations (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        kind -> Text,
        country -> Text,
        city -> Nullable<Text>,
        website -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        withdrawn -> Bool,
    }
}

diesel::table! {
    opportunities (id) {
        id -> Text,
        slug -> Text,
        kind -> Text,
        organization_id -> Text,
        destination_city -> Nullable<Text>,
        online -> Bool,
        career_stage -> Text,
        age_min -> Nullable<Integer>,
        age_max -> Nullable<Integer>,
        opens_at -> Nullable<Timestamp>,
        deadline -> Nullable<Timestamp>,
        deadline_timezone -> Nullable<Text>,
        rolling -> Bool,
        activity_starts_on -> Nullable<Date>,
        activity_ends_on -> Nullable<Date>,
        duration_min_days -> Nullable<Integer>,
        duration_max_days -> Nullable<Integer>,
        funding_min -> Nullable<BigInt>,
        funding_max -> Nullable<BigInt>,
        funding_currency -> Nullable<Text>,
        application_fee -> BigInt,
        application_fee_currency -> Nullable<Text>,
        application_url -> Nullable<Text>,
        source_url -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        state -> Text,
        version -> Integer,
        sort_deadline -> Timestamp,
        open_to_all -> Bool,
    }
}

diesel::table! {
    directory_generation (id) {
        id -> Integer,
        generation -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    opportunity_provenance (opportunity_id) {
        opportunity_id -> Text,
        created_by -> Nullable<Text>,
        source_url_key -> Nullable<Text>,
        import_source -> Nullable<Text>,
        external_id -> Nullable<Text>,
        submitter_name -> Nullable<Text>,
        submitter_email -> Nullable<Text>,
        rejection_reason -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        token_generation -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    revisions (id) {
        id -> Text,
        entity -> Text,
        entity_id -> Text,
        version -> Integer,
        actor_id -> Nullable<Text>,
        action -> Text,
        changes -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    throttle_events (id) {
        id -> Text,
        bucket -> Text,
        key -> Text,
        at -> Timestamp,
        pending -> Bool,
    }
}

diesel::table! {
    opportunity_texts (opportunity_id, language) {
        opportunity_id -> Text,
        language -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    opportunity_disciplines (opportunity_id, discipline) {
        opportunity_id -> Text,
        discipline -> Text,
    }
}

diesel::table! {
    opportunity_covered_costs (opportunity_id, cost) {
        opportunity_id -> Text,
        cost -> Text,
    }
}

diesel::table! {
    opportunity_destinations (opportunity_id, country) {
        opportunity_id -> Text,
        country -> Text,
    }
}

diesel::table! {
    opportunity_nationalities (opportunity_id, area) {
        opportunity_id -> Text,
        area -> Text,
    }
}

diesel::table! {
    opportunity_residences (opportunity_id, area) {
        opportunity_id -> Text,
        area -> Text,
    }
}

diesel::table! {
    opportunity_languages (opportunity_id, language) {
        opportunity_id -> Text,
        language -> Text,
    }
}

// The search document of an opportunity. Each backend adds its own index to it: an FTS5
// table kept by triggers on SQLite, a generated `tsvector` column on PostgreSQL.
diesel::table! {
    opportunity_search (opportunity_id) {
        opportunity_id -> Text,
        title_en -> Nullable<Text>,
        title_sl -> Nullable<Text>,
        summary_en -> Nullable<Text>,
        summary_sl -> Nullable<Text>,
        description_en -> Nullable<Text>,
        description_sl -> Nullable<Text>,
        organizer -> Text,
        lemmas_title_sl -> Nullable<Text>,
        lemmas_summary_sl -> Nullable<Text>,
        lemmas_description_sl -> Nullable<Text>,
        lemmas_version -> Integer,
    }
}

diesel::joinable!(opportunities -> organizations (organization_id));

diesel::table! {
    change_events (generation, position) {
        generation -> BigInt,
        position -> Integer,
        opportunity_id -> Text,
        slug -> Text,
        kind -> Text,
        tombstone -> Bool,
        at -> Timestamp,
    }
}

diesel::table! {
    change_feed (id) {
        id -> Integer,
        pruned_generation -> BigInt,
        pruned_position -> Integer,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        name -> Text,
        contact_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        partner_id -> Text,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_type -> Text,
        payload -> Text,
        created_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> Integer,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::table! {
    partner_keys (id) {
        id -> Text,
        partner_id -> Text,
        prefix -> Text,
        hash -> Text,
        name -> Text,
        requests_per_minute -> Integer,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rate_windows (key_id, window_start) {
        key_id -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::joinable!(webhook_endpoints -> partners (partner_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));

diesel::allow_tables_to_appear_in_same_query!(
    partner_keys,
    rate_windows,
    partners,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    change_events,
    change_feed,
    organizations,
    opportunities,
    opportunity_texts,
    opportunity_disciplines,
    opportunity_covered_costs,
    opportunity_destinations,
    opportunity_nationalities,
    opportunity_residences,
    opportunity_languages,
    opportunity_search,
    opportunity_provenance,
    users,
    revisions,
    throttle_events,
);
