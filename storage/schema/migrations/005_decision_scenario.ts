// Migration 005: a decision's labels carry the simulated scenario's id (labels.scenarioId, which
// groups the events of one injected case); store it, so that a decision read back from storage
// (GET /v1/decisions/:eventId, the alert detail) is the one that was published.
//
// An added column, as in 003: idempotent (ADD COLUMN IF NOT EXISTS), no view reads it, and rows
// stored before this version read as '' (no scenario), which is what a decision without one is.
import { addColumns, type DdlContext } from '../ddl.js';

export function decisionScenario(ctx: DdlContext): string[] {
  return addColumns(ctx, { table: 'decisions', columns: [`label_scenario_id String DEFAULT '' AFTER label_credit`] });
}
