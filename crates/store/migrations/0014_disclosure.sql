-- 0014 publication of penalty decisions (行政执法公示): the masked
-- decision as published (国办发〔2018〕118号: within 7 working days of the
-- decision) and its withdrawal with reasons (APL Art. 48: within 3 working
-- days of the decision being changed, revoked, or held illegal or void).

CREATE TABLE decision_publications (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id),
    township_id     TEXT NOT NULL REFERENCES jurisdictions(id),
    -- the decision's number as printed (宁城关罚决字〔2026〕第1号)
    number          TEXT NOT NULL,
    decided_on      TEXT NOT NULL,
    published_on    TEXT NOT NULL,
    -- the last day to publish: 7 working days after the decision
    publish_by      TEXT NOT NULL,
    -- published after publish_by
    late            BIGINT NOT NULL,
    -- JSON: domain::case::disclosure::PublishedDecision, personal data masked
    content         TEXT NOT NULL,
    published_by    TEXT NOT NULL,
    published_at    TEXT NOT NULL,
    -- set once withdrawn; JSON: domain::case::disclosure::Withdrawal
    withdrawn_on    TEXT,
    withdrawal      TEXT,
    withdrawn_by    TEXT,
    withdrawn_at    TEXT
);
-- one publication in force per case: a second is refused by the database
CREATE UNIQUE INDEX decision_publications_in_force
    ON decision_publications(case_id) WHERE withdrawn_on IS NULL;
CREATE INDEX decision_publications_township
    ON decision_publications(township_id, published_at);
CREATE INDEX decision_publications_published
    ON decision_publications(published_at);
