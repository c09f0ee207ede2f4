import * as React from 'react';
import { tokens } from '@fluentui/react-components';

/**
 * An error a user must read, announced by screen readers (role="alert"). Plain markup rather than
 * Fluent's MessageBar, whose reflow needs ResizeObserver, which not every host page provides.
 */
export function ErrorText({ children }: { children: React.ReactNode }): React.ReactElement {
  return (
    <div
      role="alert"
      style={{
        color: tokens.colorPaletteRedForeground1,
        background: tokens.colorPaletteRedBackground1,
        border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder1}`,
        borderRadius: tokens.borderRadiusMedium,
        padding: tokens.spacingHorizontalM,
      }}
    >
      {children}
    </div>
  );
}
