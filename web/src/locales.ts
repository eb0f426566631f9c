// antd locale objects. antd ships no package "exports", so under NodeNext typing its ESM files look like CJS
// (default import typed as the namespace); unwrap `.default` when present so both views work.
import zhMod from 'antd/es/locale/zh_CN.js';
import enMod from 'antd/es/locale/en_US.js';
import type { ConfigProviderProps } from 'antd';

type AntLocale = NonNullable<ConfigProviderProps['locale']>;
const unwrap = (m: unknown): AntLocale => ((m as { default?: AntLocale }).default ?? (m as AntLocale));

export const zhCN = unwrap(zhMod);
export const enUS = unwrap(enMod);
