import { Input, TextArea, type InputProps, type InputRef, type TextAreaProps, type TextAreaRef } from 'antd-mobile';
import { EyeInvisibleOutline, EyeOutline } from 'antd-mobile-icons';
import { useEffect, useRef, useState } from 'react';

/**
 * antd-mobile puts data-* attributes on the wrapper <div>; browser tests fill
 * the <input> itself, so the test id goes there. Form.Item's value and
 * onChange pass straight through to the Input.
 */
export function FieldInput({ testId, ...props }: InputProps & { testId: string }) {
  const ref = useRef<InputRef>(null);
  useEffect(() => {
    ref.current?.nativeElement?.setAttribute('data-testid', testId);
  }, [testId]);
  return <Input ref={ref} {...props} />;
}

export function FieldTextArea({ testId, ...props }: TextAreaProps & { testId: string }) {
  const ref = useRef<TextAreaRef>(null);
  useEffect(() => {
    ref.current?.nativeElement?.setAttribute('data-testid', testId);
  }, [testId]);
  return <TextArea ref={ref} {...props} />;
}

/** A password input with an eye to show what was typed. */
export function PasswordInput({ testId, ...props }: Omit<InputProps, 'type'> & { testId: string }) {
  const [visible, setVisible] = useState(false);
  const Eye = visible ? EyeOutline : EyeInvisibleOutline;
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
      <div style={{ flex: 1, minWidth: 0 }}>
        <FieldInput testId={testId} {...props} type={visible ? 'text' : 'password'} autoComplete={props.autoComplete ?? 'current-password'} />
      </div>
      <Eye fontSize={18} color="var(--adm-color-weak)" onClick={() => setVisible((v) => !v)} role="button" aria-label="toggle password visibility" />
    </div>
  );
}
