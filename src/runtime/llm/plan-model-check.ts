import { ValidationError, type PlanSpec } from '../../domain/index.js';
import type { ModelPort } from '../../models/index.js';

/**
 * What a plan file needs of its model before anything is written (issue
 * 40): its key may go only where the user allows (`VALIDATION_ERROR`
 * naming `agent.baseURL`, docs/agents.md#keys) and must be set in troupe's
 * environment (`MODEL_UNAVAILABLE` naming the variable), and where the
 * project's strategist is `llm`, a plan that lists no steps must name a
 * model. `sharedLoopback`: the plan's commands would share the host's
 * network, so a loopback server may be theirs.
 *
 * @example
 * checkPlanModel(spec, models, { strategistIsModel: false, sharedLoopback: false }); // throws when ANTHROPIC_API_KEY is not set for an anthropic: model
 */
export function checkPlanModel(spec: PlanSpec, models: Pick<ModelPort, 'checkKey'>, project: { strategistIsModel: boolean; sharedLoopback: boolean }): void {
  if (spec.agent) {
    models.checkKey(spec.agent, { sharedLoopback: project.sharedLoopback });
    return;
  }
  if (project.strategistIsModel && spec.strategy === undefined) {
    throw new ValidationError([{ path: 'agent', message: 'the project’s strategist is llm (.troupe/config.json actors.strategist): a plan without strategy needs agent.model, the model that strategizes it' }], {
      subject: spec.name,
      hint: 'add an agent block (docs/agents.md), or give the plan its strategy.steps',
    });
  }
}
