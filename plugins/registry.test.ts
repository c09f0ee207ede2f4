import { incident, opportunity, salesorder } from '../dataverse/generated';
import {
  assertStepsMatchHandlers,
  compareStepsWithHandlers,
  createRegistry,
  defineHandler,
  HandlerDefinitionError,
  type DeclaredStep,
  type HandlerDefinition,
  type SolutionSteps,
} from './registry';

const noop = () => Promise.resolve();

function step(partial: Partial<DeclaredStep> & Pick<DeclaredStep, 'message' | 'entity'>): DeclaredStep {
  return { stage: 40, mode: 1, filteringAttributes: [], ...partial };
}

describe('defineHandler', () => {
  it('derives the "Message.entity" key', () => {
    const h = defineHandler({
      message: 'Create',
      entity: incident.logicalName,
      stage: 40,
      mode: 1,
      solution: 'IdearioInterests',
      handle: noop,
    });
    expect(h.key).toBe('Create.incident');
  });

  it('refuses a key that disagrees with message and entity', () => {
    expect(() =>
      defineHandler({
        key: 'Create.incident',
        message: 'Update',
        entity: incident.logicalName,
        stage: 40,
        mode: 1,
        solution: 'IdearioInterests',
        handle: noop,
      }),
    ).toThrow(
      "Handler key 'Create.incident' does not match its message and entity: expected 'Update.incident'.",
    );
  });

  it('refuses registrations Dataverse would refuse: async outside post-operation, filters outside Update', () => {
    expect(() =>
      defineHandler({
        message: 'Create',
        entity: incident.logicalName,
        stage: 20,
        mode: 1,
        solution: 'IdearioInterests',
        handle: noop,
      }),
    ).toThrow(/asynchronous steps run only at post-operation/);
    expect(() =>
      defineHandler({
        message: 'Create',
        entity: incident.logicalName,
        stage: 40,
        mode: 1,
        filteringAttributes: [incident.columns.statecode],
        solution: 'IdearioInterests',
        handle: noop,
      }),
    ).toThrow(/only Update steps support/);
  });
});

describe('createRegistry', () => {
  const updateIncident = defineHandler({
    message: 'Update',
    entity: incident.logicalName,
    stage: 40,
    mode: 1,
    solution: 'IdearioInterests',
    handle: noop,
  });

  it('finds handlers by message, entity, stage and mode', () => {
    const registry = createRegistry([updateIncident]);
    expect(registry.find('Update', incident.logicalName, 40, 1)).toEqual([updateIncident]);
    expect(registry.find('Update', incident.logicalName, 40, 0)).toEqual([]);
    expect(registry.find('Create', incident.logicalName, 40, 1)).toEqual([]);
    expect(registry.find('Update', incident.logicalName, 40, 1, 'IdearioGroupQuotes')).toEqual([]);
  });

  it('refuses two handlers for the same step of the same solution', () => {
    expect(() => createRegistry([updateIncident, { ...updateIncident }])).toThrow(
      'Two handlers are registered for Update.incident (stage 40, mode 1) in IdearioInterests; merge them into one.',
    );
  });
});

describe('compareStepsWithHandlers', () => {
  const handlers: HandlerDefinition[] = [
    defineHandler({
      message: 'Create',
      entity: opportunity.logicalName,
      stage: 40,
      mode: 1,
      solution: 'IdearioInterests',
      handle: noop,
    }),
    defineHandler({
      message: 'Create',
      entity: opportunity.logicalName,
      stage: 40,
      mode: 1,
      solution: 'IdearioGroupQuotes',
      handle: noop,
    }),
    defineHandler({
      message: 'Update',
      entity: salesorder.logicalName,
      stage: 40,
      mode: 1,
      filteringAttributes: [salesorder.columns.statecode],
      solution: 'IdearioInterests',
      handle: noop,
    }),
  ];
  const solutions: SolutionSteps[] = [
    {
      uniqueName: 'IdearioInterests',
      steps: [
        step({ message: 'Create', entity: opportunity.logicalName }),
        step({
          message: 'Update',
          entity: salesorder.logicalName,
          filteringAttributes: [salesorder.columns.statecode],
        }),
      ],
    },
    {
      uniqueName: 'IdearioGroupQuotes',
      steps: [step({ message: 'Create', entity: opportunity.logicalName })],
    },
  ];

  it('finds nothing to say when every step has its handler and every handler its step', () => {
    expect(compareStepsWithHandlers(solutions, createRegistry(handlers))).toEqual([]);
    expect(() => assertStepsMatchHandlers(solutions, createRegistry(handlers))).not.toThrow();
  });

  it('reports a step without a handler, and a handler without a step, per solution', () => {
    const withExtraStep: SolutionSteps[] = [
      {
        ...solutions[0],
        steps: [...solutions[0].steps, step({ message: 'Create', entity: incident.logicalName })],
      },
      { uniqueName: 'IdearioGroupQuotes', steps: [] },
    ];
    const mismatches = compareStepsWithHandlers(withExtraStep, createRegistry(handlers));
    expect(mismatches.map((m) => m.message)).toEqual([
      'IdearioInterests: step Create.incident (stage 40, async) has no handler; add one with defineHandler() under plugins/handlers/.',
      'Handler Create.opportunity (stage 40, async) has no step in IdearioGroupQuotes; add the step under solution/ or remove the handler.',
    ]);
  });

  it('tells a handler with the right message but another stage or mode from a match', () => {
    const syncStep: SolutionSteps[] = [
      solutions[0],
      {
        uniqueName: 'IdearioGroupQuotes',
        steps: [step({ message: 'Create', entity: opportunity.logicalName, stage: 20, mode: 0 })],
      },
    ];
    const kinds = compareStepsWithHandlers(syncStep, createRegistry(handlers)).map((m) => m.kind);
    expect(kinds).toEqual(['step-without-handler', 'handler-without-step']);
  });

  it('compares filtering attributes as sets, ignoring order and case, and reports a difference', () => {
    const reordered: SolutionSteps[] = [
      {
        uniqueName: 'IdearioInterests',
        steps: [
          step({ message: 'Create', entity: opportunity.logicalName }),
          step({
            message: 'Update',
            entity: salesorder.logicalName,
            filteringAttributes: [salesorder.columns.statecode.toUpperCase()],
          }),
        ],
      },
      solutions[1],
    ];
    expect(compareStepsWithHandlers(reordered, createRegistry(handlers))).toEqual([]);

    const different: SolutionSteps[] = [
      {
        uniqueName: 'IdearioInterests',
        steps: [
          step({ message: 'Create', entity: opportunity.logicalName }),
          step({
            message: 'Update',
            entity: salesorder.logicalName,
            filteringAttributes: [salesorder.columns.statecode, salesorder.columns.statuscode],
          }),
        ],
      },
      solutions[1],
    ];
    const [mismatch] = compareStepsWithHandlers(different, createRegistry(handlers));
    expect(mismatch?.kind).toBe('filtering-attributes-differ');
    expect(mismatch?.message).toBe(
      'IdearioInterests: Update.salesorder (stage 40, async) filters on [statecode, statuscode] in solution/, but its handler declares [statecode].',
    );
  });

  it('reports handlers of a solution that was not compared', () => {
    const mismatches = compareStepsWithHandlers([solutions[0]], createRegistry(handlers));
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]?.message).toMatch(
      /belongs to IdearioGroupQuotes, which is not among the solutions compared/,
    );
  });

  it('assertStepsMatchHandlers lists every disagreement in one error', () => {
    expect(() =>
      assertStepsMatchHandlers([{ uniqueName: 'IdearioInterests', steps: [] }], createRegistry(handlers)),
    ).toThrow(HandlerDefinitionError);
    expect(() =>
      assertStepsMatchHandlers([{ uniqueName: 'IdearioInterests', steps: [] }], createRegistry(handlers)),
    ).toThrow(
      /Steps and handlers disagree:\n- Handler Create\.opportunity[^\n]*\n- Handler Create\.opportunity[^\n]*\n- Handler Update\.salesorder/,
    );
  });
});
